package dev.marquee.common.serving;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.redis.FeatureStore.UserAndAnnList;
import java.util.Optional;

/**
 * The retrieval step as the gateway sees it: the retrieval core in this JVM or the retrieval service over HTTP
 * implement it alike. Budgets and fallbacks are the caller's; an implementation throws when it cannot answer.
 */
public interface Retrieval {
    /**
     * Merged candidates with provenance; seen, excluded and filtered-out items never among them.
     *
     * @param user the user's features and ANN list as the caller's hydration step read them for this request, or
     *             {@code null}: the implementation reads them (a remote one always does)
     */
    CandidatesResponse candidates(CandidatesRequest request, UserAndAnnList user);

    /** Items like {@code itemId}, or empty when the catalog does not know it. */
    Optional<SimilarResponse> similar(String itemId, int n);
}
