package dev.marquee.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {

    @Test
    void splitsOnNewlinesAndCrLfAndKeepsALastLineWithoutTerminator() throws IOException {
        assertThat(read("a\r\nbb\n\nccc", 10)).containsExactly(
                new LineReader.Line(1, "a", false), new LineReader.Line(2, "bb", false),
                new LineReader.Line(3, "", false), new LineReader.Line(4, "ccc", false));
        assertThat(read("", 10)).isEmpty();
        assertThat(read("x\n", 10)).containsExactly(new LineReader.Line(1, "x", false));
    }

    @Test
    void lineLongerThanTheLimitIsSkippedAcrossBufferRefillsAndTheNextOneReadWhole() throws IOException {
        String longLine = "y".repeat(20_000);   // more than two 8 KiB buffers
        List<LineReader.Line> lines = read("ok\n" + longLine + "\r\n" + "z".repeat(100) + "\n", 100);

        assertThat(lines).containsExactly(new LineReader.Line(1, "ok", false), new LineReader.Line(2, "", true),
                new LineReader.Line(3, "z".repeat(100), false));
    }

    private static List<LineReader.Line> read(String text, int max) throws IOException {
        LineReader reader = new LineReader(new StringReader(text), max);
        List<LineReader.Line> out = new ArrayList<>();
        for (LineReader.Line l = reader.next(); l != null; l = reader.next()) {
            out.add(l);
        }
        return out;
    }
}
