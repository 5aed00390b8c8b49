package dev.marquee.common.feature;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How strongly an item goes with a user's most recent items in one family of neighbour lists (transitions,
 * co-visitation): the sum over the seeds (the user's {@link #SEEDS} most recent items, newest first) of
 * {@link #seedWeight(int)} times the item's count in the seed's list. The transitions candidate source and the ranking
 * features compute it this one way; the ranking features read each seed's {@link #LIST_DEPTH} strongest neighbours.
 */
public final class NeighbourScores {
    /** Most recent items that seed the scores of the ranking features. */
    public static final int SEEDS = 5;
    /** Neighbours read per seed for the ranking features (the stream consumer keeps up to 100 transitions). */
    public static final int LIST_DEPTH = 100;
    /** Most recent items that seed the history score (a longer memory than {@link #SEEDS}). */
    public static final int HISTORY_SEEDS = 20;
    /** The history score's seed weights: {@code HISTORY_DECAY^rank}. */
    public static final double HISTORY_DECAY = 0.8;

    private NeighbourScores() {
    }

    /** The weight of the seed at {@code rank} (0 = the newest item): 1, 1/2, 1/3, ... */
    public static double seedWeight(int rank) {
        return 1.0 / (1 + rank);
    }

    /**
     * Item id -> score, from the seeds (newest first) and each seed's neighbour list (neighbour -> count); the seeds
     * themselves are left out.
     */
    public static Map<String, Double> of(List<String> seeds, Map<String, Map<String, Double>> lists) {
        return of(seeds, lists, NeighbourScores::seedWeight);
    }

    /**
     * As {@link #of} over the first {@link #HISTORY_SEEDS} of {@code seeds}, the seed at {@code rank} weighing
     * {@link #HISTORY_DECAY}{@code ^rank}: what goes with the user's longer history, the recent part most.
     */
    public static Map<String, Double> ofHistory(List<String> seeds, Map<String, Map<String, Double>> lists) {
        return of(seeds.subList(0, Math.min(HISTORY_SEEDS, seeds.size())), lists,
                rank -> Math.pow(HISTORY_DECAY, rank));
    }

    private static Map<String, Double> of(List<String> seeds, Map<String, Map<String, Double>> lists,
                                          java.util.function.IntToDoubleFunction weightOf) {
        Map<String, Double> scores = new HashMap<>();
        for (int rank = 0; rank < seeds.size(); rank++) {
            double weight = weightOf.applyAsDouble(rank);
            lists.getOrDefault(seeds.get(rank), Map.of()).forEach((item, count) -> scores.merge(item,
                    weight * count, Double::sum));
        }
        seeds.forEach(scores::remove);
        return scores;
    }

    /** The {@link #SEEDS} items before position {@code from} of a newest-first list ({@code from} 0: the newest). */
    public static List<String> seedsFrom(List<String> recentItems, int from) {
        return seedsFrom(recentItems, from, SEEDS);
    }

    /** The {@code count} items before position {@code from} of a newest-first list. */
    public static List<String> seedsFrom(List<String> recentItems, int from, int count) {
        return recentItems.subList(Math.min(from, recentItems.size()), Math.min(from + count, recentItems.size()));
    }
}
