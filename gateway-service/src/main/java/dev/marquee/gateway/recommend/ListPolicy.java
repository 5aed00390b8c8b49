package dev.marquee.gateway.recommend;

import dev.marquee.common.feature.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a ranked list into the list shown: maximal marginal relevance over the top of the ranking (each next item
 * maximises {@code lambda * relevance - (1 - lambda) * max cosine to the items already picked}), then the last
 * {@code explorationSlots} slots go to candidates drawn at random from the rest of the pool (seeded by the request, so
 * a response can be reproduced).
 */
public final class ListPolicy {
    /** A ranked entry: relevance (model score, higher is better) and the item's vector (may be {@code null}). */
    public record Entry<T>(T item, String itemId, double relevance, float[] vector) {
    }

    private ListPolicy() {
    }

    /** Picks {@code k} entries from {@code ranked} (best first) by maximal marginal relevance. */
    public static <T> List<Entry<T>> diversify(List<Entry<T>> ranked, int k, double lambda) {
        List<Entry<T>> pool = new ArrayList<>(ranked);
        List<Entry<T>> picked = new ArrayList<>();
        if (lambda >= 1.0) {
            return List.copyOf(pool.subList(0, Math.min(k, pool.size())));
        }
        while (picked.size() < k && !pool.isEmpty()) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < pool.size(); i++) {
                Entry<T> candidate = pool.get(i);
                double similarity = 0;
                for (Entry<T> p : picked) {
                    similarity = Math.max(similarity, Vectors.cosine(candidate.vector(), p.vector()));
                }
                double value = lambda * candidate.relevance() - (1 - lambda) * similarity;
                if (value > bestValue) {
                    bestValue = value;
                    best = i;
                }
            }
            picked.add(pool.remove(best));
        }
        return picked;
    }

    /**
     * Replaces the last {@code slots} entries of {@code list} with entries drawn from {@code pool} that are not in the
     * list, made by {@code explore}; the list keeps its size (fewer slots when the pool runs out).
     */
    public static <T> List<T> explore(List<T> list, List<String> listIds, List<String> pool, int slots, long seed,
                                      java.util.function.Function<String, T> explore) {
        List<String> rest = new ArrayList<>(pool);
        rest.removeAll(listIds);
        int n = Math.min(Math.min(slots, rest.size()), list.size());
        if (n == 0) {
            return list;
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<T> out = new ArrayList<>(list.subList(0, list.size() - n));
        for (int i = 0; i < n; i++) {
            out.add(explore.apply(rest.remove(random.nextInt(rest.size()))));
        }
        return out;
    }
}
