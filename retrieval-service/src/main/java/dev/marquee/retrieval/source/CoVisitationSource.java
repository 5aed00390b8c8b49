package dev.marquee.retrieval.source;

import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * "People who viewed this also viewed": items seen in the same sessions as the user's most recent items
 * ({@code cv:<item>} sets kept by the stream consumer). Each neighbour scores its co-visit counts, weighted by how
 * recent the item it came from is (1 for the latest, 1/2 for the one before, ...); the reason names the recent item
 * that contributed most.
 */
@Component
class CoVisitationSource implements CandidateSource {
    private final CoVisitLists lists;
    private final RetrievalProperties props;

    CoVisitationSource(FeatureStore store, RetrievalProperties props) {
        this.lists = new CoVisitLists(store, props.coVisitationCacheTtl());
        this.props = props;
    }

    @Override
    public String name() {
        return "CoVisited";
    }

    @Override
    public Duration budget() {
        return props.coVisitationBudget();
    }

    @Override
    public boolean appliesTo(CandidateQuery query) {
        return !query.user().recentItems().isEmpty();
    }

    /** The answer when the neighbour lists of all the seed items are cached. */
    @Override
    public List<Candidate> fromMemory(CandidateQuery query) {
        List<String> seeds = seeds(query);
        FeatureStore.CoVisits read = lists.ofIfCached(seeds, query.n());
        return read == null ? null : candidates(seeds, read, query.n(), query.exclude());
    }

    private List<String> seeds(CandidateQuery query) {
        return query.user().recentItems().stream().limit(props.coVisitationSeeds()).toList();
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        List<String> seeds = seeds(query);
        if (seeds.isEmpty()) {
            return List.of();
        }
        return candidates(seeds, lists.of(seeds, query.n()), query.n(), query.exclude()); // at most one round trip
    }

    private List<Candidate> candidates(List<String> seeds, FeatureStore.CoVisits read, int n, Set<String> exclude) {
        Map<String, Neighbour> found = new HashMap<>(2 * seeds.size() * n);
        for (int rank = 0; rank < seeds.size(); rank++) {
            double weight = 1.0 / (1 + rank);
            String seed = seeds.get(rank);
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
            out.add(new Candidate(b.itemId, b.score, name(),
                    "Because you viewed " + titles.getOrDefault(b.strongestSeed, b.strongestSeed)));
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
