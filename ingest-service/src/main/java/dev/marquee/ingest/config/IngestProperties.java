package dev.marquee.ingest.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param tasteDecay   factor applied to a user's taste vector and category weights before each new event is added
 *                     (default 0.95: the last ~20 events dominate)
 * @param sendTimeout  how long a request waits for Kafka to acknowledge its records (default 5 s)
 * @param partitions   partitions of the events topic (default 4)
 */
@Validated
@ConfigurationProperties("marquee.ingest")
public record IngestProperties(
        @DefaultValue("0.95") @DecimalMin("0.0") @DecimalMax("1.0") double tasteDecay,
        @DefaultValue("5s") Duration sendTimeout,
        @DefaultValue("4") @Min(1) int partitions) {
}
