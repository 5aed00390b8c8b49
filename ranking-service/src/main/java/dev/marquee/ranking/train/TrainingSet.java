package dev.marquee.ranking.train;

import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.common.feature.FeatureAssembler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;

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

    /**
     * Each feature's mean over the positive rows and over the negative ones, {@code name=positive/negative}: what the
     * model can tell them apart by (logged with each training run).
     */
    public String meansByLabel() {
        int width = width();
        double[][] sum = new double[2][width];
        long[] count = new long[2];
        for (int r = 0; r < rows(); r++) {
            int label = labels[r] > 0.5f ? 1 : 0;
            count[label]++;
            for (int c = 0; c < width; c++) {
                sum[label][c] += features[r * width + c];
            }
        }
        List<String> names = RankingFeatures.names();
        StringBuilder out = new StringBuilder();
        for (int c = 0; c < width; c++) {
            out.append(c == 0 ? "" : ", ").append(names.get(c)).append('=')
                    .append(String.format(Locale.ROOT, "%.3f/%.3f", sum[1][c] / Math.max(1, count[1]),
                            sum[0][c] / Math.max(1, count[0])));
        }
        return out.toString();
    }

    /**
     * The same rows with each group's rows next to each other (groups in order of first appearance, rows in their
     * order within a group), as a ranking objective needs them, and the size of each group in that order.
     */
    public Grouped grouped() {
        Map<String, List<Integer>> rowsOf = new LinkedHashMap<>();
        for (int r = 0; r < rows(); r++) {
            rowsOf.computeIfAbsent(groups[r], g -> new ArrayList<>()).add(r);
        }
        int width = width();
        float[] f = new float[features.length];
        float[] y = new float[labels.length];
        String[] g = new String[groups.length];
        int[] sizes = new int[rowsOf.size()];
        int at = 0;
        int group = 0;
        for (List<Integer> members : rowsOf.values()) {
            for (int r : members) {
                System.arraycopy(features, r * width, f, at * width, width);
                y[at] = labels[r];
                g[at] = groups[r];
                at++;
            }
            sizes[group++] = members.size();
        }
        return new Grouped(new TrainingSet(f, y, g), sizes);
    }

    /** Rows in contiguous groups, and the groups' sizes. */
    public record Grouped(TrainingSet set, int[] sizes) {
    }
}
