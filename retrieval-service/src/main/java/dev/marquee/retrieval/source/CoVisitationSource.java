package dev.marquee.retrieval.source;

import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
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

    /** When the neighbour lists of all the seed items are cached. */
    @Override
    public boolean answersFromMemory(CandidateQuery query) {
        return lists.holds(seeds(query), query.n());
    }

    private List<String> seeds(CandidateQuery query) {
        return query.user().recentItems().stream().limit(props.coVisitationSeeds()).toList();
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        int n = query.n();
        Set<String> exclude = query.exclude();
        List<String> seeds = seeds(query);
        if (seeds.isEmpty()) {
            return List.of();
        }
        Map<String, Double> scores = new HashMap<>();
        Map<String, String> strongestSeed = new HashMap<>();
        Map<String, Double> strongest = new HashMap<>();
        FeatureStore.CoVisits read = lists.of(seeds, n); // at most one round trip
        var neighbours = read.neighbours();
        for (int rank = 0; rank < seeds.size(); rank++) {
            double weight = 1.0 / (1 + rank);
            String seed = seeds.get(rank);
            neighbours.getOrDefault(seed, Map.of()).forEach((item, count) -> {
                if (!exclude.contains(item)) {
                    scores.merge(item, weight * count, Double::sum);
                    if (weight * count > strongest.getOrDefault(item, 0.0)) {
                        strongest.put(item, weight * count);
                        strongestSeed.put(item, seed);
                    }
                }
            });
        }
        Map<String, String> titles = read.titles();
        return scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> {
                    String seed = strongestSeed.get(e.getKey());
                    return new Candidate(e.getKey(), e.getValue(), name(),
                            "Because you viewed " + titles.getOrDefault(seed, seed));
                }).toList();
    }
}
