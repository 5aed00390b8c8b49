package dev.marquee.ranking.train;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.RankingModel;
import java.util.Random;

/** Real XGBoost models for tests that need a champion before any labelled data exists. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * Trained on rows where only the first feature (taste cosine) varies and decides the label: it scores by taste
     * alone, and gives the same score to every row with the same taste cosine (e.g. users without a taste vector).
     */
    public static RankingModel tasteOnly(RankingProperties props, long seed) {
        return new ModelTrainer(null, null, props).fit(rows(500, seed), rows(100, seed + 1));
    }

    private static TrainingSet rows(int n, long seed) {
        Random r = new Random(seed);
        int w = FeatureAssembler.width();
        float[] x = new float[n * w];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i * w] = (float) r.nextGaussian();
            y[i] = x[i * w] + 0.3 * r.nextGaussian() > 0 ? 1f : 0f;
        }
        return new TrainingSet(x, y, null);
    }
}
