package dev.marquee.retrieval.source;

import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.PopularList;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The most interacted-with items (weighted by event type): overall, or within the included categories when the caller
 * restricts them (so that a rare category still gets its own best items). For everyone, and alone for new users.
 */
@Component
class PopularSource implements CandidateSource {
    private final FeatureStore store;
    private final RetrievalProperties props;
    private final PopularList popular;

    PopularSource(FeatureStore store, RetrievalProperties props, PopularList popular) {
        this.store = store;
        this.props = props;
        this.popular = popular;
    }

    @Override
    public String name() {
        return "Popular";
    }

    @Override
    public Duration budget() {
        return props.popularBudget();
    }

    /** The overall list is in memory ({@link PopularList}, refreshed once per TTL); per-category lists are not. */
    @Override
    public List<Candidate> fromMemory(CandidateQuery query) {
        return query.filters().includeCategories().isEmpty() ? fetch(query) : null;
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        int n = query.n();
        Set<String> exclude = query.exclude();
        List<String> categories = query.filters().includeCategories();
        if (categories.isEmpty()) {
            List<Candidate> out = new ArrayList<>(n);
            popular.top(n + exclude.size()).forEach((itemId, score) -> {
                if (out.size() < n && !exclude.contains(itemId)) {
                    out.add(new Candidate(itemId, score, name(), "Popular right now"));
                }
            });
            return out;
        }
        return store.popularIn(categories, n + exclude.size()).stream()
                .filter(i -> !exclude.contains(i.itemId())).limit(n)
                .map(i -> new Candidate(i.itemId(), i.score(), name(), "Popular in " + i.category())).toList();
    }
}
