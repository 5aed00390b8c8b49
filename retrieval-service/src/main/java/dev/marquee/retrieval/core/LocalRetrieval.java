package dev.marquee.retrieval.core;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.redis.FeatureStore.UserAndAnnList;
import dev.marquee.common.serving.Retrieval;
import dev.marquee.retrieval.source.CandidateRetriever;
import dev.marquee.retrieval.source.SimilarItems;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The retrieval core behind the {@link Retrieval} API: what the retrieval service's endpoints answer with, and what
 * the gateway calls in its own JVM when it serves in-process ({@link RetrievalCoreAutoConfiguration}).
 */
@Component
public class LocalRetrieval implements Retrieval {
    private final CandidateRetriever retriever;
    private final SimilarItems similar;

    LocalRetrieval(CandidateRetriever retriever, SimilarItems similar) {
        this.retriever = retriever;
        this.similar = similar;
    }

    @Override
    public CandidatesResponse candidates(CandidatesRequest request, UserAndAnnList user) {
        return retriever.retrieve(request, user);
    }

    @Override
    public Optional<SimilarResponse> similar(String itemId, int n) {
        return similar.similar(itemId, n);
    }
}
