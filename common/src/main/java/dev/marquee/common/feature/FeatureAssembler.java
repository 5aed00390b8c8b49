package dev.marquee.common.feature;

import java.util.List;

/**
 * Builds the model input matrix (row-major, one row per item, columns in {@link RankingFeatures#ALL} order).
 * The trainer and the ranking service both call this class: there is no second implementation.
 */
public final class FeatureAssembler {

    public static int width() {
        return RankingFeatures.ALL.size();
    }

    public static float[] row(UserFeatures user, ItemFeatures item) {
        List<FeatureDefinition> defs = RankingFeatures.ALL;
        float[] row = new float[defs.size()];
        for (int f = 0; f < row.length; f++) {
            row[f] = (float) defs.get(f).value(user, item);
        }
        return row;
    }

    public static float[] matrix(UserFeatures user, List<ItemFeatures> items) {
        int width = width();
        float[] out = new float[items.size() * width];
        for (int r = 0; r < items.size(); r++) {
            System.arraycopy(row(user, items.get(r)), 0, out, r * width, width);
        }
        return out;
    }

    private FeatureAssembler() {
    }
}
