package dev.marquee.common.feature;

import dev.marquee.common.event.LabelledExample;
import java.time.Instant;
import java.util.List;

/**
 * The feature rows the ranking model scored for one request, as it scored them: published by the ranking service to
 * {@link dev.marquee.common.Topics#SERVED_FEATURES} (key = user id) for the top of each ranked list, and joined by
 * the trainer with the labelled examples by example id, so a model learns from the values it will be served, not
 * from the feature store as it is at training time (which already holds the click being predicted).
 *
 * @param featureHash {@link RankingFeatures#hash()} of the server that assembled the rows: the column order
 * @param rows        best first, at most the configured top N of the ranked list
 */
public record ServedFeatures(String requestId, String userId, String modelVersion, String featureHash,
                             Instant servedAt, List<Row> rows) {

    /**
     * @param rank     0-based position in the ranked list
     * @param score    the model's score
     * @param features the row from {@link FeatureAssembler}, columns in {@link RankingFeatures#ALL} order
     */
    public record Row(String itemId, int rank, float score, float[] features) {
    }

    /** The example id the row will be labelled under: {@link LabelledExample#id}. */
    public String exampleId(Row row) {
        return LabelledExample.id(requestId, row.itemId());
    }
}
