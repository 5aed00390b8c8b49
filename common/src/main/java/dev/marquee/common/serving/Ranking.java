package dev.marquee.common.serving;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;

/**
 * The scoring step as the gateway sees it: the ranking core in this JVM or the ranking service over HTTP implement it
 * alike. Budgets and fallbacks are the caller's; an implementation throws when it cannot answer (no model yet, down).
 */
public interface Ranking {
    /**
     * The candidates the champion model can score (inactive items and items without features dropped), best first.
     *
     * @param user the user's features as the caller's hydration step read them for this request, or {@code null}: the
     *             implementation reads them (a remote one always does)
     */
    RankResponse rank(RankRequest request, UserFeatures user);
}
