package dev.marquee.common.recommend;

import java.util.List;

/** Candidates scored by the model, best first. */
public record RankResponse(String userId, String modelVersion, List<ScoredItem> items) {

    /**
     * @param retrievalScore the candidate source's score; {@code score} is the model's
     * @param reason         the candidate source's reason, for the user
     */
    public record ScoredItem(String itemId, double score, String source, double retrievalScore, String title,
                             String category, String reason) {
    }
}
