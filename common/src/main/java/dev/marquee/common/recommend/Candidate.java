package dev.marquee.common.recommend;

import dev.marquee.common.Ids;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * An item proposed by a candidate source.
 *
 * @param source which source proposed it ("Ann", "Popular", ...): its provenance
 * @param score  the source's own score (cosine similarity for Ann, weighted count for Popular)
 * @param reason why, in words a user reads ("Because you viewed …", "Trending in …"), or {@code null}
 */
public record Candidate(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
        double score,
        @Size(max = 64) String source,
        @Size(max = 1000) String reason) {

    public Candidate(String itemId, double score, String source) {
        this(itemId, score, source, null);
    }
}
