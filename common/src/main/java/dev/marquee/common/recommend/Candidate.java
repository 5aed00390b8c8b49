package dev.marquee.common.recommend;

/**
 * An item proposed by a candidate source.
 *
 * @param source which source proposed it ("Ann", "Popular", ...): its provenance
 * @param score  the source's own score (cosine similarity for Ann, weighted count for Popular)
 * @param reason why, in words a user reads ("Because you viewed …", "Trending in …"), or {@code null}
 */
public record Candidate(String itemId, double score, String source, String reason) {

    public Candidate(String itemId, double score, String source) {
        this(itemId, score, source, null);
    }
}
