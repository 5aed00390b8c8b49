package dev.marquee.ingest.bulk;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads a text stream line by line ({@code \n} or {@code \r\n}) holding at most one line, and of a line longer than
 * the limit not even that: its characters are skipped and it comes back marked {@link Line#tooLong()}.
 */
final class LineReader {
    private final Reader in;
    private final int maxLength;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;
    private long lineNumber;

    LineReader(Reader in, int maxLength) {
        this.in = in;
        this.maxLength = maxLength;
    }

    /**
     * @param number  1-based line number
     * @param text    the line without its terminator; empty when {@code tooLong}
     * @param tooLong the line exceeded the limit and was skipped
     */
    record Line(long number, String text, boolean tooLong) {
    }

    /** The next line, or null at the end of the stream. */
    Line next() throws IOException {
        StringBuilder line = new StringBuilder();
        boolean tooLong = false;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!any) {
                        return null;
                    }
                    return finish(line, tooLong);
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            if (!tooLong) {
                int length = position - start;
                if (line.length() + length > maxLength + 1) { // + 1: a '\r' before the '\n'
                    tooLong = true;
                    line.setLength(0);
                } else {
                    line.append(buffer, start, length);
                }
            }
            if (position < limit) { // at '\n'
                position++;
                return finish(line, tooLong);
            }
        }
    }

    /** Number of the last line returned (0 before the first). */
    long lineNumber() {
        return lineNumber;
    }

    private Line finish(StringBuilder line, boolean tooLong) {
        lineNumber++;
        int length = line.length();
        if (length > 0 && line.charAt(length - 1) == '\r') {
            line.setLength(--length);
        }
        if (!tooLong && length > maxLength) {
            tooLong = true;
        }
        return new Line(lineNumber, tooLong ? "" : line.toString(), tooLong);
    }
}
