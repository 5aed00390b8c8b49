package dev.marquee.common.recommend;

import java.util.List;

/**
 * What retrieval returns: merged candidates with provenance, and how each source did.
 *
 * @param degraded true when at least one source failed or ran out of time; {@code reasons} says which
 * @param interestsVector the T5 vector of the request's stated interests, when there were some and they were embedded
 */
public record CandidatesResponse(String userId, List<Candidate> candidates, List<SourceReport> sources,
                                 boolean degraded, List<String> reasons, float[] interestsVector) {

    public CandidatesResponse(String userId, List<Candidate> candidates, List<SourceReport> sources,
                              boolean degraded, List<String> reasons) {
        this(userId, candidates, sources, degraded, reasons, null);
    }

    /** @param status ok, timeout, error, or skipped (the source had nothing to go on for this request) */
    public record SourceReport(String source, int count, double millis, String status) {
    }
}
