package dev.marquee.retrieval.source;

import dev.marquee.common.recommend.Candidate;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Cold start from what the user says they like: the stated interests are embedded by the item encoder and searched
 * with Milvus ANN, so a user without history gets items about their words instead of only the popular ones. Proposes
 * nothing when the request states no interests.
 */
@Component
class InterestsSource implements CandidateSource {
    private final InterestEmbeddings embeddings;
    private final ItemVectorSearch search;
    private final RetrievalProperties props;

    InterestsSource(InterestEmbeddings embeddings, ItemVectorSearch search, RetrievalProperties props) {
        this.embeddings = embeddings;
        this.search = search;
        this.props = props;
    }

    @Override
    public String name() {
        return "YourInterests";
    }

    @Override
    public Duration budget() {
        return props.interestsBudget();
    }

    @Override
    public boolean appliesTo(CandidateQuery query) {
        return query.interests() != null;
    }

    @Override
    public List<Candidate> fetch(CandidateQuery query) {
        if (!appliesTo(query)) {
            return List.of();
        }
        return search.nearest(embeddings.vector(query.interests()), query.n(), query.exclude(), query.filters(),
                name(), "Matches your interest in \"" + query.interests() + "\"");
    }
}
