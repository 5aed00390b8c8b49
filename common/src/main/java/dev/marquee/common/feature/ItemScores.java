package dev.marquee.common.feature;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A user's scores of items in one family of neighbour lists ({@link NeighbourScores}), with the top score: the ranking
 * features read both an item's score and its share of the top one, which says how it compares with the user's other
 * neighbours whatever the user's or the data's volume.
 *
 * @param byItem item id -> score (items without a score are absent)
 * @param top    the highest score, 0 when there is none
 */
public record ItemScores(Map<String, Double> byItem, double top) {
    public static final ItemScores NONE = new ItemScores(Map.of(), 0);

    public static ItemScores of(Map<String, Double> byItem) {
        double top = 0; // a loop, not a stream: once per user and request
        for (double score : byItem.values()) {
            top = Math.max(top, score);
        }
        return new ItemScores(byItem, top);
    }

    public double score(String itemId) {
        return byItem.getOrDefault(itemId, 0.0);
    }

    /** The item's score as a share of the top score, in [0, 1]. */
    public double share(String itemId) {
        return top <= 0 ? 0 : score(itemId) / top;
    }

    /** The {@code n} best-scored items, best first, ties by item id. */
    public List<String> best(int n) {
        List<Map.Entry<String, Double>> entries = new ArrayList<>(byItem.entrySet());
        entries.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        return entries.stream().limit(n).map(Map.Entry::getKey).toList();
    }
}
