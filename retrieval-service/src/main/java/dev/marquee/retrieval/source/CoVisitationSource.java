package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
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
 * recent the item it came from is (1 for the latest, 1/2 for the one before, ...).
 */
@Component
class CoVisitationSource implements CandidateSource {
    private final FeatureStore store;
    private final RetrievalProperties props;

    CoVisitationSource(FeatureStore store, RetrievalProperties props) {
        this.store = store;
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
    public List<Candidate> fetch(UserFeatures user, int n, Set<String> exclude) {
        List<String> seeds = user.recentItems().stream().limit(props.coVisitationSeeds()).toList();
        Map<String, Double> scores = new HashMap<>();
        var neighbours = store.coVisited(seeds, n);
        for (int rank = 0; rank < seeds.size(); rank++) {
            double weight = 1.0 / (1 + rank);
            neighbours.getOrDefault(seeds.get(rank), Map.of()).forEach((item, count) -> {
                if (!exclude.contains(item)) {
                    scores.merge(item, weight * count, Double::sum);
                }
            });
        }
        return scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> new Candidate(e.getKey(), e.getValue(), name())).toList();
    }
}
