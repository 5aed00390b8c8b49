package dev.marquee.ingest.config;

import dev.marquee.common.event.EventTimeWindow;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.validation.annotation.Validated;

/**
 * @param sendTimeout  how long a request waits for Kafka to acknowledge its records (default 4 s: with the
 *                     answer's own work, a 503 within the 6 s an outage may cost a client)
 * @param partitions   partitions of the events topic (default 4)
 * @param bulk         the bulk import endpoints ({@code marquee.ingest.import.*})
 * @param timestampMaxAge   how far in the past an event's time may be (default {@link EventTimeWindow#DEFAULT}: 100
 *                          years, for historical imports)
 * @param timestampMaxAhead how far in the future an event's time may be, for clock skew (default 1 h)
 * @param eventsRetention   how long the events topic keeps a record, set when ingest creates it; unset (the default):
 *                          for ever, since the feature store is rebuilt from it (the user history has no horizon)
 */
@Validated
@ConfigurationProperties("marquee.ingest")
public record IngestProperties(
        @DefaultValue("4s") Duration sendTimeout,
        @DefaultValue("4") @Min(1) int partitions,
        @Name("import") @DefaultValue @Valid Import bulk,
        Duration timestampMaxAge,
        Duration timestampMaxAhead,
        Duration eventsRetention) {

    /** The event times accepted by the API, the imports and the stream consumer. */
    public EventTimeWindow eventTimeWindow() {
        return EventTimeWindow.of(timestampMaxAge, timestampMaxAhead);
    }

    /**
     * Bulk import of JSONL events and MovieLens files ({@code POST /import/...}).
     *
     * @param batchSize        valid records published to Kafka per acknowledged send (default 1000)
     * @param progressInterval a progress line (counts so far, records/s) is logged this often while an import runs,
     *                         and once at its end (default 5s)
     * @param maxErrors        invalid lines listed in the report; all are counted (default 20)
     * @param maxLineLength    longest JSONL line read, in characters; a longer line is rejected without being held in
     *                         memory (default 65536)
     */
    public record Import(
            @DefaultValue("1000") @Min(1) @Max(10_000) int batchSize,
            @DefaultValue("5s") @NotNull @DurationMin(millis = 100) Duration progressInterval,
            @DefaultValue("20") @Min(0) @Max(1000) int maxErrors,
            @DefaultValue("65536") @Min(1024) @Max(16_777_216) int maxLineLength) {
    }
}
