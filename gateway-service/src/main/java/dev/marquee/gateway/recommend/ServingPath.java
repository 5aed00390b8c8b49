package dev.marquee.gateway.recommend;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;

/**
 * Where /recommend's two stages run ({@code marquee.gateway.serving}): in the retrieval and ranking services, called
 * over HTTP ({@link RemoteServing}), or in the gateway's own JVM with the same classes those services run
 * ({@link InProcessServing}). Either way a stage that fails or runs past its budget throws, and {@link Recommender}
 * falls back (retrieval order, popular list) with the answer flagged degraded.
 */
public interface ServingPath {
    /** Merged candidates with provenance; throws when retrieval is unavailable or past its budget. */
    CandidatesResponse candidates(CandidatesRequest request) throws Exception;

    /** The candidates scored by the champion model, best first; throws when ranking is unavailable or past budget. */
    RankResponse rank(RankRequest request) throws Exception;
}
