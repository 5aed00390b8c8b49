package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Trending, then popular, items of the user's strongest categories (time-decayed affinities from the feature store),
 * each category getting a share of the slots in proportion to its affinity; one Redis round trip.
 */
@Component
class CategorySource implements CandidateSource {
    private final FeatureStore store;
    private final RetrievalProperties props;

    CategorySource(FeatureStore store, RetrievalProperties props) {
        this.store = store;
        this.props = props;
    }

    @Override
    public String name() {
        return "InYourCategories";
    }

    @Override
    public Duration budget() {
        return props.categoryBudget();
    }

    @Override
    public List<Candidate> fetch(UserFeatures user, int n, Set<String> exclude) {
        List<Map.Entry<String, Double>> top = user.categoryWeights().entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(props.topCategories()).toList();
        double total = top.stream().mapToDouble(Map.Entry::getValue).sum();
        Map<String, List<Map<String, Double>>> lists = store.trendingAndPopular(
                top.stream().map(Map.Entry::getKey).toList(), n + exclude.size());
        Map<String, Candidate> out = new LinkedHashMap<>();
        for (Map.Entry<String, Double> category : top) {
            int share = (int) Math.ceil(n * category.getValue() / total);
            List<Candidate> mine = new ArrayList<>();
            List<Map<String, Double>> both = lists.get(category.getKey());
            for (int which = 0; which < both.size(); which++) {
                Map<String, Double> ranked = both.get(which);
                String reason = (which == 0 ? "Trending in " : "Popular in ") + category.getKey();
                for (var e : ranked.entrySet()) {
                    if (mine.size() < share && !exclude.contains(e.getKey()) && !out.containsKey(e.getKey())
                            && mine.stream().noneMatch(c -> c.itemId().equals(e.getKey()))) {
                        mine.add(new Candidate(e.getKey(), e.getValue(), name(), reason));
                    }
                }
            }
            mine.forEach(c -> out.put(c.itemId(), c));
        }
        return out.values().stream().limit(n).toList();
    }
}
