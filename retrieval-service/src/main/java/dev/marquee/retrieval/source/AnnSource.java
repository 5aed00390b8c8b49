package dev.marquee.retrieval.source;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/** Milvus ANN search with the user's taste vector; items the user has seen are excluded inside Milvus. */
@Component
class AnnSource implements CandidateSource {
    private final ItemVectorSearch search;
    private final RetrievalProperties props;

    AnnSource(ItemVectorSearch search, RetrievalProperties props) {
        this.search = search;
        this.props = props;
    }

    @Override
    public String name() {
        return "Ann";
    }

    @Override
    public Duration budget() {
        return props.annBudget();
    }

    @Override
    public List<Candidate> fetch(UserFeatures user, int n, Set<String> exclude) {
        if (!user.hasTaste()) {
            return List.of();
        }
        return search.nearest(user.taste(), n, exclude, name(), "Matches your recent taste");
    }
}
