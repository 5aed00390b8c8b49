package dev.marquee.ranking.model;

import dev.marquee.common.feature.FeatureAssembler;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** A loaded XGBoost booster and its metadata. Scores rows assembled by {@link FeatureAssembler}. */
public final class RankingModel {
    private final Booster booster;
    private final ModelMetadata metadata;

    public RankingModel(Booster booster, ModelMetadata metadata) {
        this.booster = booster;
        this.metadata = metadata;
        try {
            // one request scores ~100 rows: a single thread is fastest, and OpenMP workers spinning on a shared
            // 2-core box cost every other process their CPU
            booster.setParam("nthread", "1");
        } catch (XGBoostError e) {
            throw new IllegalStateException(e);
        }
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    public String version() {
        return metadata.version();
    }

    /** Probability of engagement for each row of the row-major matrix. */
    public float[] score(float[] matrix, int rows) {
        if (rows == 0) {
            return new float[0];
        }
        int width = FeatureAssembler.width();
        if (matrix.length != rows * width) {
            throw new IllegalArgumentException("matrix has " + matrix.length + " values, expected " + rows * width);
        }
        try {
            float[][] out = booster.inplace_predict(matrix, rows, width, Float.NaN);
            float[] scores = new float[rows];
            for (int r = 0; r < rows; r++) {
                scores[r] = out[r][0];
            }
            return scores;
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost prediction failed", e);
        }
    }

    public byte[] toBytes() {
        try {
            return booster.toByteArray("ubj");
        } catch (XGBoostError e) {
            throw new IllegalStateException(e);
        }
    }
}
