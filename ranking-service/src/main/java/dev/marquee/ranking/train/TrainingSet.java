package dev.marquee.ranking.train;

import dev.marquee.common.feature.FeatureAssembler;

/** Row-major feature matrix with binary labels; {@code groups} (request or user per row) for ranking metrics. */
public record TrainingSet(float[] features, float[] labels, String[] groups) {
    public int rows() {
        return labels.length;
    }

    public int width() {
        return FeatureAssembler.width();
    }

    public long positives() {
        long n = 0;
        for (float l : labels) {
            n += l > 0.5f ? 1 : 0;
        }
        return n;
    }
}
