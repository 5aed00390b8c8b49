package dev.marquee.common.recommend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.marquee.common.feature.UserFeatures;
import java.util.List;

/**
 * What retrieval returns: merged candidates with provenance, and how each source did.
 *
 * @param degraded true when at least one source failed or ran out of time; {@code reasons} says which
 * @param interestsVector the T5 vector of the request's stated interests, when there were some and they were embedded
 * @param user      the user's features as retrieval read them for this request, handed to ranking when both run in one
 *                  JVM (so the feature store is read once per request); never on the wire, {@code null} from JSON
 */
public record CandidatesResponse(String userId, List<Candidate> candidates, List<SourceReport> sources,
                                 boolean degraded, List<String> reasons, float[] interestsVector,
                                 @JsonIgnore UserFeatures user) {

    public CandidatesResponse(String userId, List<Candidate> candidates, List<SourceReport> sources,
                              boolean degraded, List<String> reasons, float[] interestsVector) {
        this(userId, candidates, sources, degraded, reasons, interestsVector, null);
    }

    public CandidatesResponse(String userId, List<Candidate> candidates, List<SourceReport> sources,
                              boolean degraded, List<String> reasons) {
        this(userId, candidates, sources, degraded, reasons, null);
    }

    /** @param status ok, timeout, error, or skipped (the source had nothing to go on for this request) */
    public record SourceReport(String source, int count, double millis, String status) {
    }
}
