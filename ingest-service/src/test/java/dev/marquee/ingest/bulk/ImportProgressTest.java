package dev.marquee.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.marquee.ingest.config.IngestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.validation.Validation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

class ImportProgressTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(ImportRun.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @AfterEach
    void detach() {
        logger.detachAppender(logged);
    }

    @Test
    void progressIsLoggedEveryIntervalEvenWhileTheUploadStallsAndOnceAtTheEnd() {
        logged.start();
        logger.addAppender(logged);
        BulkImporter importer = new BulkImporter(List::size, List::size, JsonMapper.builder().build(),
                Validation.buildDefaultValidatorFactory().getValidator(),
                new IngestProperties.Import(1000, Duration.ofMillis(100), 20, 65536),
                dev.marquee.common.event.EventTimeWindow.DEFAULT, new SimpleMeterRegistry());
        String line = "{\"eventId\":\"e-1\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"view\","
                + "\"timestamp\":\"2026-01-01T00:00:00Z\"}\n";
        InputStream stalling = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)), new Stall(450),
                new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)))));

        ImportReport report = importer.events(stalling);
        importer.stop();

        assertThat(report.published()).isEqualTo(2);
        List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines.stream().filter(l -> l.matches("import #\\d+ events: 1 records \\(0 published, 0 rejected\\)"
                + " in [0-9.]+ s, \\d+ records/s"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(lines.get(lines.size() - 1)).matches("import #\\d+ events: done, 2 records \\(2 published, 0 "
                + "rejected\\) in [0-9.]+ s, \\d+ records/s");
    }

    /** An upload that sends nothing for a while. */
    private static final class Stall extends InputStream {
        private final long millis;

        Stall(long millis) {
            this.millis = millis;
        }

        @Override
        public int read() throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }
}
