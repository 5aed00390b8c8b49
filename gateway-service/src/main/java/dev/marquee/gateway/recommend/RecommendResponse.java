package dev.marquee.gateway.recommend;

import java.util.List;
import java.util.Map;

/**
 * The public /recommend answer.
 *
 * @param variant         the user's A/B arm ({@code control} unless an experiment is configured)
 * @param degraded        true when a dependency failed and a fallback served the list; {@code degradedReasons} says which
 * @param modelVersion    ranking model that scored the list, or {@code null} if ranking was skipped
 * @param candidatePool   how many candidates retrieval proposed
 * @param stageMillis     time spent per stage (retrieval, ranking, total)
 */
public record RecommendResponse(String requestId, String userId, String variant, List<RecommendedItem> items,
                                String modelVersion,
                                boolean degraded, List<String> degradedReasons, int candidatePool,
                                Map<String, Double> stageMillis) {

    /**
     * @param score  model score (or, when degraded, the candidate source's score)
     * @param source candidate source that proposed the item (Ann, Popular, ...)
     * @param reason why it is here, for the user ("Because you viewed …", "Popular in …")
     */
    public record RecommendedItem(int position, String itemId, double score, String source, String title,
                                  String category, String reason) {
    }
}
