package dev.marquee.retrieval.source;

import dev.marquee.common.feature.NeighbourScores;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.NeighbourLists;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Items that go with the user's most recent items in a family of neighbour lists the stream consumer keeps per item
 * (co-visitation, transitions). Each neighbour scores its counts in the lists of the seeds, weighted by how recent
 * the seed is ({@link NeighbourScores#seedWeight}, as the ranking features are); the reason names the seed that
 * contributed most.
 */
abstract class NeighbourSource implements CandidateSource {
    private final String name;
    private final Duration budget;
    private final int seeds;
    private final String reason;
    private final NeighbourLists lists;

    /**
     * @param reason the reason's text before the title of the strongest seed
     * @param lists  the family's lists, shared with the ranking features ({@link dev.marquee.common.redis.SeedNeighbours})
     */
    NeighbourSource(String name, Duration budget, int seeds, String reason, NeighbourLists lists) {
        this.name = name;
        this.budget = budget;
        this.seeds = seeds;
        this.reason = reason;
        this.lists = lists;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Duration budget() {
        return budget;
    }

    @Override
    public boolean appliesTo(CandidateQuery query) {
        return !query.user().recentItems().isEmpty();
    }

    /** The answer when the neighbour lists of all the seed items are cached. */
    @Override
    public List<Candidate> fromMemory(CandidateQuery query) {
        List<String> seedItems = seeds(query);
        FeatureStore.CoVisits read = lists.ofIfCached(seedItems, query.n());
        return read == null ? null : candidates(seedItems, read, query.n(), query.exclude());
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        List<String> seedItems = seeds(query);
        if (seedItems.isEmpty()) {
            return List.of();
        }
        // at most one round trip
        return candidates(seedItems, lists.of(seedItems, query.n()), query.n(), query.exclude());
    }

    private List<String> seeds(CandidateQuery query) {
        return query.user().recentItems().stream().limit(seeds).toList();
    }

    private List<Candidate> candidates(List<String> seedItems, FeatureStore.CoVisits read, int n,
                                       Set<String> exclude) {
        Map<String, Neighbour> found = new HashMap<>(2 * seedItems.size() * n);
        for (int rank = 0; rank < seedItems.size(); rank++) {
            double weight = NeighbourScores.seedWeight(rank);
            String seed = seedItems.get(rank);
            for (Map.Entry<String, Double> e : read.neighbours().getOrDefault(seed, Map.of()).entrySet()) {
                if (!exclude.contains(e.getKey())) {
                    found.computeIfAbsent(e.getKey(), Neighbour::new).add(seed, weight * e.getValue());
                }
            }
        }
        Map<String, String> titles = read.titles();
        List<Neighbour> best = new ArrayList<>(found.values());
        best.sort(BEST_FIRST);
        List<Candidate> out = new ArrayList<>(Math.min(n, best.size()));
        for (Neighbour b : best.subList(0, Math.min(n, best.size()))) {
            out.add(new Candidate(b.itemId, b.score, name,
                    reason + titles.getOrDefault(b.strongestSeed, b.strongestSeed)));
        }
        return out;
    }

    /** Highest score first, ties by item id. */
    private static final Comparator<Neighbour> BEST_FIRST = Comparator.comparingDouble((Neighbour b) -> -b.score)
            .thenComparing(b -> b.itemId);

    /** A neighbour's score summed over the seeds, and the seed that contributed most (the first of equals). */
    private static final class Neighbour {
        private final String itemId;
        private double score;
        private double strongest;
        private String strongestSeed;

        Neighbour(String itemId) {
            this.itemId = itemId;
        }

        void add(String seed, double contribution) {
            score += contribution;
            if (contribution > strongest) {
                strongest = contribution;
                strongestSeed = seed;
            }
        }
    }
}
