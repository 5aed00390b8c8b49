package dev.marquee.ranking.train;

import java.util.Arrays;

/** Offline metrics. */
public final class Evaluation {
    private Evaluation() {
    }

    /**
     * Mean NDCG@k over the groups (requests, or users) that have at least one positive: each group's rows sorted by
     * score, gain = label, discount log2(rank + 1). NaN when no group has a positive.
     */
    public static double ndcgAt(float[] scores, float[] labels, String[] groups, int k) {
        java.util.Map<String, java.util.List<Integer>> byGroup = new java.util.HashMap<>();
        for (int i = 0; i < labels.length; i++) {
            byGroup.computeIfAbsent(groups[i], g -> new java.util.ArrayList<>()).add(i);
        }
        double sum = 0;
        int counted = 0;
        for (java.util.List<Integer> rows : byGroup.values()) {
            java.util.List<Integer> byScore = new java.util.ArrayList<>(rows);
            byScore.sort((a, b) -> Float.compare(scores[b], scores[a]));
            java.util.List<Integer> ideal = new java.util.ArrayList<>(rows);
            ideal.sort((a, b) -> Float.compare(labels[b], labels[a]));
            double idcg = dcg(ideal, labels, k);
            if (idcg == 0) {
                continue;
            }
            sum += dcg(byScore, labels, k) / idcg;
            counted++;
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    private static double dcg(java.util.List<Integer> order, float[] labels, int k) {
        double dcg = 0;
        for (int r = 0; r < Math.min(k, order.size()); r++) {
            dcg += labels[order.get(r)] / (Math.log(r + 2) / Math.log(2));
        }
        return dcg;
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
