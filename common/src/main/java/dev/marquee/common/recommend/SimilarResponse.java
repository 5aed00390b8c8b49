package dev.marquee.common.recommend;

import java.util.List;

/** Items like one item, with provenance ("CoVisited", "SimilarText"); {@code degraded} when a source failed. */
public record SimilarResponse(String itemId, List<Candidate> candidates, boolean degraded, List<String> reasons) {
}
