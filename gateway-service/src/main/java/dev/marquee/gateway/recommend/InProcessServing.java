package dev.marquee.gateway.recommend;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.gateway.config.InProcessServingConfig;
import dev.marquee.ranking.model.Ranker;
import dev.marquee.retrieval.source.CandidateRetriever;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Retrieval and ranking in the gateway's JVM, on the request thread: the retrieval service's
 * {@link CandidateRetriever} (its sources in parallel, each under its own budget, fail-open) and the ranking service's
 * {@link Ranker} (champion model reloaded from the shared model registry, served-feature rows logged for the trainer),
 * wired by {@link InProcessServingConfig}. No HTTP hop, no JSON of 100 candidates each way, two fewer processes per
 * request; the results are the same objects the services return (docs/architecture.md, "Serving in-process").
 */
@Component
@ConditionalOnProperty(name = "marquee.gateway.serving", havingValue = "in-process")
class InProcessServing implements ServingPath {
    private final CandidateRetriever retriever;
    private final Ranker ranker;

    InProcessServing(CandidateRetriever retriever, Ranker ranker) {
        this.retriever = retriever;
        this.ranker = ranker;
    }

    @Override
    public CandidatesResponse candidates(CandidatesRequest request) {
        return retriever.retrieve(request);
    }

    @Override
    public RankResponse rank(RankRequest request) {
        return ranker.rank(request);
    }
}
