package dev.marquee.ranking.served;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The served-feature log ({@code marquee.served-features}): the rows the model scored, for the trainer.
 *
 * @param topN          rows logged per {@code /rank} request that carries a request id: the top N of the ranked list
 *                      (default 20; 0 logs nothing). Examples shown from further down (exploration slots) train on the
 *                      feature store's current values instead
 * @param queueCapacity requests waiting for the background sender; when it is full a request's rows are dropped and
 *                      counted, never waited for (default 2,000)
 * @param partitions    partitions of the topic when this service creates it (default 4)
 * @param maxRows       newest logged rows the trainer keeps in memory to join with the labelled examples (default
 *                      500,000): enough for the 200,000-example window at 20 rows logged per 10 shown, plus the rows
 *                      of impressions still waiting for their label
 */
@Validated
@ConfigurationProperties("marquee.ranking.served-features")
public record ServedFeaturesProperties(
        @DefaultValue("20") @Min(0) int topN,
        @DefaultValue("2000") @Min(1) int queueCapacity,
        @DefaultValue("4") @Min(1) int partitions,
        @DefaultValue("500000") @Min(1) int maxRows) {
}
