package dev.marquee.ranking.train;

import java.util.Arrays;

/** Offline metrics. */
public final class Evaluation {
    private Evaluation() {
    }

    /** Area under the ROC curve (rank statistic; ties get the average rank). NaN when one class is missing. */
    public static double auc(float[] scores, float[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        double rankSumPositives = 0;
        long positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (labels[order[k]] > 0.5f) {
                    rankSumPositives += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositives - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
    }
}
