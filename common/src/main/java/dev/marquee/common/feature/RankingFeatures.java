package dev.marquee.common.feature;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.ToDoubleBiFunction;

/**
 * The ordered feature list of the ranking model. Changing it changes {@link #hash()}, and old models are refused; a
 * feature's name carries the parameters that change its value (the neighbour scores' seeds and list depth), so
 * changing one of them refuses old models too.
 */
public final class RankingFeatures {
    // the parameters of the neighbour scores, part of their features' names (and so of the hash)
    private static final String RECENT = "@" + NeighbourScores.SEEDS + "x" + NeighbourScores.LIST_DEPTH;
    private static final String LAST = "@1x" + NeighbourScores.LIST_DEPTH;
    private static final String HISTORY = "@" + NeighbourScores.HISTORY_SEEDS + "x" + NeighbourScores.HISTORY_DECAY
            + "x" + NeighbourScores.LIST_DEPTH;

    public static final List<FeatureDefinition> ALL = List.of(
            new Feature("taste_cosine", (u, i) -> Vectors.cosine(u.taste(), i.vector())),
            new Feature("category_affinity", (u, i) -> {
                double total = u.totalCategoryWeight();
                return total == 0 ? 0.0 : u.categoryWeights().getOrDefault(i.category(), 0.0) / total;
            }),
            // a share of the top item's: the decayed count itself was ~0 for every item of a history imported
            // from years ago, and its scale follows traffic volume
            new Feature("item_popularity_share", (u, i) -> i.popularity()),
            new Feature("item_price", (u, i) -> Math.log1p(Math.max(0, i.price()))),
            new Feature("user_activity", (u, i) -> Math.log1p(u.eventCount())),
            new Feature("transition_score" + RECENT, (u, i) -> Math.log1p(u.transitions().score(i.itemId()))),
            new Feature("covisit_score" + RECENT, (u, i) -> Math.log1p(u.coVisits().score(i.itemId()))),
            new Feature("history_covisit_score" + HISTORY,
                    (u, i) -> Math.log1p(u.historyCoVisits().score(i.itemId()))),
            // shares of the user's top score: how an item compares with the user's other neighbours, which the
            // scores alone do not say (they grow with the data and with the seeds' popularity)
            new Feature("transition_share" + RECENT, (u, i) -> u.transitions().share(i.itemId())),
            new Feature("covisit_share" + RECENT, (u, i) -> u.coVisits().share(i.itemId())),
            new Feature("history_covisit_share" + HISTORY, (u, i) -> u.historyCoVisits().share(i.itemId())),
            // what followed the newest item alone: the strongest single signal of what comes next
            new Feature("last_transition_score" + LAST, (u, i) -> Math.log1p(u.lastTransitions().score(i.itemId()))),
            new Feature("last_transition_share" + LAST, (u, i) -> u.lastTransitions().share(i.itemId())));

    private RankingFeatures() {
    }

    public static List<String> names() {
        return ALL.stream().map(FeatureDefinition::name).toList();
    }

    /** Identifies the feature list (names and order); stored with each model. */
    public static String hash() {
        return hash(names());
    }

    /** 16 hex characters of the SHA-256 of the comma-joined names: order matters. */
    static String hash(List<String> names) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join(",", names).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Feature(String name, ToDoubleBiFunction<UserFeatures, ItemFeatures> fn)
            implements FeatureDefinition {
        @Override
        public double value(UserFeatures user, ItemFeatures item) {
            return fn.applyAsDouble(user, item);
        }
    }
}
