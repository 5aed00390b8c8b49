package dev.marquee.retrieval.source;

import dev.marquee.common.recommend.Candidate;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;

/** Milvus ANN search with the user's taste vector; items the user has seen are excluded inside Milvus. */
@Component
class AnnSource implements CandidateSource {
    private static final String REASON = "Matches your recent taste";
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
    public boolean appliesTo(CandidateQuery query) {
        return query.user().hasTaste();
    }

    /** The answer to the same search (taste, exclusions, filters) when it is cached. */
    @Override
    public List<Candidate> fromMemory(CandidateQuery query) {
        return search.nearestIfCached(query.user().taste(), query.n(), query.exclude(), query.filters(), name(),
                REASON);
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        if (!appliesTo(query)) {
            return List.of();
        }
        return search.nearest(query.user().taste(), query.n(), query.exclude(), query.filters(), name(),
                REASON);
    }
}
