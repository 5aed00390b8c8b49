package dev.marquee.ranking.model;

import java.time.Instant;
import java.util.List;

/**
 * Stored beside each model file.
 *
 * @param features     ordered feature names the model was trained on; a model whose list differs from the
 *                     server's {@code RankingFeatures} is refused
 * @param featureHash  hash of {@code features}
 * @param examples     training rows; {@code validationAuc} measured on held-out users
 * @param rows         where the training and validation rows came from (logged at serve time or computed at training
 *                     time); {@code null} for models trained before it was recorded, or on hand-made sets
 */
public record ModelMetadata(String version, List<String> features, String featureHash, Instant trainedAt,
                            int examples, int validationExamples, double validationAuc, String objective,
                            TrainingRows rows) {
}
