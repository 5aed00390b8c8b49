package dev.marquee.common.feature;

import java.util.List;
import java.util.Map;

/**
 * What the feature store knows about a user at one moment.
 *
 * @param taste            decayed sum of interacted item vectors, or {@code null} for a user with no embedded history
 * @param categoryWeights  category -> decayed interaction weight
 * @param eventCount       events seen for this user
 * @param recentItems      recently interacted item ids, newest first
 * @param transitions      {@link NeighbourScores} of what followed the user's recent items (empty until hydrated from
 *                         the feature store, {@code UserSequences})
 * @param lastTransitions  {@link NeighbourScores} of what followed the newest item alone (likewise)
 * @param coVisits         {@link NeighbourScores} of what was seen in sessions with the recent items (likewise)
 * @param historyCoVisits  {@link NeighbourScores#ofHistory} of the co-visits of a longer history (likewise)
 */
public record UserFeatures(String userId, float[] taste, Map<String, Double> categoryWeights, long eventCount,
                           List<String> recentItems, ItemScores transitions, ItemScores lastTransitions,
                           ItemScores coVisits, ItemScores historyCoVisits) {

    /** A user as the feature store holds them, without neighbour scores. */
    public UserFeatures(String userId, float[] taste, Map<String, Double> categoryWeights, long eventCount,
                        List<String> recentItems) {
        this(userId, taste, categoryWeights, eventCount, recentItems, ItemScores.NONE, ItemScores.NONE,
                ItemScores.NONE, ItemScores.NONE);
    }

    public static UserFeatures empty(String userId) {
        return new UserFeatures(userId, null, Map.of(), 0, List.of());
    }

    /** This user with {@code taste} as taste vector (the rest unchanged). */
    public UserFeatures withTaste(float[] taste) {
        return new UserFeatures(userId, taste, categoryWeights, eventCount, recentItems, transitions,
                lastTransitions, coVisits, historyCoVisits);
    }

    /** This user with the neighbour scores of their recent items (the rest unchanged). */
    public UserFeatures withNeighbourScores(Map<String, Double> transitions, Map<String, Double> lastTransitions,
                                            Map<String, Double> coVisits, Map<String, Double> historyCoVisits) {
        return new UserFeatures(userId, taste, categoryWeights, eventCount, recentItems, ItemScores.of(transitions),
                ItemScores.of(lastTransitions), ItemScores.of(coVisits), ItemScores.of(historyCoVisits));
    }

    public boolean hasTaste() {
        return taste != null && Vectors.norm(taste) > 0;
    }

    public double totalCategoryWeight() {
        double total = 0; // a loop, not a stream: computed for every candidate row of every /rank
        for (double w : categoryWeights.values()) {
            total += w;
        }
        return total;
    }
}
