package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/** The most interacted-with items overall (weighted by event type): for everyone, and alone for new users. */
@Component
class PopularSource implements CandidateSource {
    private final FeatureStore store;
    private final RetrievalProperties props;

    PopularSource(FeatureStore store, RetrievalProperties props) {
        this.store = store;
        this.props = props;
    }

    @Override
    public String name() {
        return "Popular";
    }

    @Override
    public Duration budget() {
        return props.popularBudget();
    }

    @Override
    public List<Candidate> fetch(UserFeatures user, int n, Set<String> exclude) {
        List<Candidate> out = new ArrayList<>(n);
        store.popular(n + exclude.size()).forEach((itemId, score) -> {
            if (out.size() < n && !exclude.contains(itemId)) {
                out.add(new Candidate(itemId, score, name(), "Popular right now"));
            }
        });
        return out;
    }
}
