package dev.marquee.simulator;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param autoStart           run catalog + backfill + training + live stream at startup (default true)
 * @param seed                the world is a pure function of the seed
 * @param itemsPerTopic       catalog size is topics x this (default 40, 8 topics)
 * @param users               simulated users (default 200)
 * @param backfillPerUser     historical events per user sent before going live (default 20)
 * @param liveRate            events per second in live mode (default 5)
 * @param liveDuration        live mode stops by itself after this (default 8 h)
 * @param embeddingWait       how long to wait for the catalog to be embedded before the backfill (default 5 min)
 */
@Validated
@ConfigurationProperties("marquee.simulator")
public record SimulatorProperties(
        @DefaultValue("true") boolean autoStart,
        @DefaultValue("7") long seed,
        @DefaultValue("40") @Min(1) int itemsPerTopic,
        @DefaultValue("200") @Min(1) int users,
        @DefaultValue("20") @Min(0) int backfillPerUser,
        @DefaultValue("5") @DecimalMin("0.0") double liveRate,
        @DefaultValue("8h") Duration liveDuration,
        @DefaultValue("5m") Duration embeddingWait,
        @DefaultValue("http://127.0.0.1:8081") @NotBlank String ingestUrl,
        @DefaultValue("http://127.0.0.1:8082") @NotBlank String embeddingUrl,
        @DefaultValue("http://127.0.0.1:8084") @NotBlank String rankingUrl) {
}
