package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.redis.PopularList;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Trending, then popular, items of the user's strongest categories (time-decayed affinities from the feature store),
 * each category getting a share of the slots in proportion to its affinity; the lists are the same for every user and
 * come from memory ({@link PopularList}, at most one Redis round trip per {@code popular-cache-ttl}). When the caller
 * includes categories, only those are drawn from (weighted by the user's affinity, equally where the user has none);
 * excluded categories never are.
 */
@Component
class CategorySource implements CandidateSource {
    private final RetrievalProperties props;
    private final PopularList popular;

    CategorySource(RetrievalProperties props, PopularList popular) {
        this.props = props;
        this.popular = popular;
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
    public boolean appliesTo(CandidateQuery query) {
        return !query.user().categoryWeights().isEmpty() || !query.filters().includeCategories().isEmpty();
    }

    /** The answer when the trending and popular lists of the user's top categories are cached. */
    @Override
    public List<Candidate> fromMemory(CandidateQuery query) {
        List<Map.Entry<String, Double>> top = top(query);
        if (top.isEmpty()) {
            return List.of();
        }
        Map<String, List<Map<String, Double>>> lists = popular.trendingAndPopularIfCached(
                top.stream().map(Map.Entry::getKey).toList(), query.n() + query.exclude().size());
        return lists == null ? null : candidates(top, lists, query.n(), query.exclude());
    }

    /** The categories drawn from, strongest first, with their weights. */
    private List<Map.Entry<String, Double>> top(CandidateQuery query) {
        return categories(query.user(), query.filters()).entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(props.topCategories()).toList();
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        List<Map.Entry<String, Double>> top = top(query);
        if (top.isEmpty()) {
            return List.of();
        }
        return candidates(top, popular.trendingAndPopular(top.stream().map(Map.Entry::getKey).toList(),
                query.n() + query.exclude().size()), query.n(), query.exclude());
    }

    /** Each category's share of {@code n} from its trending, then popular list. */
    private List<Candidate> candidates(List<Map.Entry<String, Double>> top,
                                       Map<String, List<Map<String, Double>>> lists, int n, Set<String> exclude) {
        double total = top.stream().mapToDouble(Map.Entry::getValue).sum();
        Map<String, Candidate> out = new LinkedHashMap<>(capacityFor(n + top.size()));
        for (Map.Entry<String, Double> category : top) {
            int share = (int) Math.ceil(n * category.getValue() / total);
            Map<String, Candidate> mine = new LinkedHashMap<>(capacityFor(share));
            List<Map<String, Double>> both = lists.get(category.getKey());
            for (int which = 0; which < both.size(); which++) {
                Map<String, Double> ranked = both.get(which);
                String reason = (which == 0 ? "Trending in " : "Popular in ") + category.getKey();
                for (var e : ranked.entrySet()) {
                    if (mine.size() == share) {
                        break; // the lists are up to 128 long per category and kind: stop once the share is full
                    }
                    if (!exclude.contains(e.getKey()) && !out.containsKey(e.getKey())) {
                        mine.putIfAbsent(e.getKey(), new Candidate(e.getKey(), e.getValue(), name(), reason));
                    }
                }
            }
            out.putAll(mine);
        }
        return out.values().stream().limit(n).toList();
    }

    /** A hash map's initial capacity that holds {@code entries} without growing (the default load factor, 0.75). */
    private static int capacityFor(int entries) {
        return (int) Math.ceil(entries / 0.75);
    }

    /** The user's category affinities allowed by the filters; the included categories alone when there are some. */
    private static Map<String, Double> categories(UserFeatures user, RecommendFilters filters) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (filters.includeCategories().isEmpty()) {
            user.categoryWeights().forEach((c, w) -> {
                if (filters.allowsCategory(c) && w > 0) {
                    out.put(c, w);
                }
            });
        } else {
            for (String c : filters.includeCategories()) {
                if (filters.allowsCategory(c)) {
                    out.put(c, Math.max(user.categoryWeights().getOrDefault(c, 0.0), 1e-9));
                }
            }
        }
        return out;
    }
}
