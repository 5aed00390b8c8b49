package dev.marquee.common.feature;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

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
    /**
     * How many previous items an interaction is counted as a transition from, the one just before weighing this much,
     * the next one less (the stream consumer's {@code transition-window}), and how many previous session items it is
     * paired with as a co-visit ({@code co-visit-window}): the default of both.
     */
    public static final int WINDOW = 5;

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
                NeighbourScores::historySeedWeight);
    }

    /** The weight of the history score's seed at {@code rank}: {@link #HISTORY_DECAY}{@code ^rank}. */
    public static double historySeedWeight(int rank) {
        return Math.pow(HISTORY_DECAY, rank);
    }

    private static Map<String, Double> of(List<String> seeds, Map<String, Map<String, Double>> lists,
                                          IntToDoubleFunction weightOf) {
        int most = 0;
        for (String seed : seeds) {
            most += lists.getOrDefault(seed, Map.of()).size();
        }
        Map<String, Double> scores = new HashMap<>((int) Math.ceil(most / 0.75)); // never grows
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

    /**
     * The seeds' lists less what the user's own sequence added to them. Read at training time, the lists already count
     * the user's own steps from the seeds to the items they went on to (the positive among them), which no list held
     * when the user chose it; left in, the model learns that the chosen item always has a score. Each entry loses only
     * the user's own step from that seed to that item, never going below zero: a step its list does not hold (cut from
     * the list's strongest, or not counted) takes nothing from the item's entries in the other seeds' lists.
     *
     * @param seeds    the seeds, newest first (the items just before {@code later}); scores use a prefix of them
     * @param later    the user's items after the seeds, newest first
     * @param ownCount what one of the user's steps added to a seed's list for the item {@code gap} steps after it
     */
    public static Map<String, Map<String, Double>> withoutOwn(List<String> seeds,
                                                              Map<String, Map<String, Double>> lists,
                                                              List<String> later, IntToDoubleFunction ownCount) {
        if (later.isEmpty() || lists.isEmpty()) {
            return lists;
        }
        Map<String, Integer> laterIndex = new HashMap<>();
        for (int j = later.size() - 1; j >= 0; j--) {
            laterIndex.put(later.get(j), j);
        }
        Map<String, Map<String, Double>> out = new HashMap<>(lists);
        for (int rank = 0; rank < seeds.size(); rank++) {
            Map<String, Double> list = lists.get(seeds.get(rank));
            if (list == null) {
                continue;
            }
            Map<String, Double> adjusted = null;
            for (Map.Entry<String, Integer> own : laterIndex.entrySet()) {
                Double count = list.get(own.getKey());
                if (count == null) {
                    continue;
                }
                if (adjusted == null) {
                    adjusted = new HashMap<>(list);
                }
                double left = count - ownCount.applyAsDouble(later.size() - own.getValue() + rank);
                if (left > 1e-9) {
                    adjusted.put(own.getKey(), left);
                } else {
                    adjusted.remove(own.getKey());
                }
            }
            if (adjusted != null) {
                out.put(seeds.get(rank), adjusted);
            }
        }
        return out;
    }

    /** A transition step's count by its gap: {@link #WINDOW} for the next item, one less per step, 0 past it. */
    public static double transitionCount(int gap) {
        return gap >= 1 && gap <= WINDOW ? WINDOW + 1 - gap : 0;
    }

    /** A co-visit's count by its gap: 1 within {@link #WINDOW} steps (taken as one session), 0 past it. */
    public static double coVisitCount(int gap) {
        return gap >= 1 && gap <= WINDOW ? 1 : 0;
    }
}
