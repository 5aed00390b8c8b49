package dev.marquee.gateway.recommend;

import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.RankResponse.ScoredItem;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.redis.FeatureStore;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The filter step: the rules every list obeys, whichever path made it (ranked, retrieval order, popular). Items the
 * caller excluded, items outside the allowed categories, the user's recent items, and, on a path that did not come
 * through retrieval (which checks it), any item in the user's whole history (one Redis read). Withdrawn items are
 * dropped where item features are read (ranking, or {@link Recommender}'s item hydration on the fallback paths).
 */
@Component
class ListFilter {
    private final FeatureStore store;

    ListFilter(FeatureStore store) {
        this.store = store;
    }

    /**
     * @param user          the user's features when the request read them ({@code null}: not read)
     * @param historyLeft   true when the list came through retrieval, which left out the whole history already
     */
    List<ScoredItem> apply(List<ScoredItem> items, RecommendFilters filters, String userId, UserFeatures user,
                           boolean historyLeft) {
        Set<String> excluded = filters.excludedItems();
        Set<String> recent = user == null ? Set.of() : Set.copyOf(user.recentItems());
        List<ScoredItem> kept = items.stream()
                .filter(i -> !excluded.contains(i.itemId()) && !recent.contains(i.itemId())
                        && (!filters.restrictsCategories() || filters.allowsCategory(i.category())))
                .toList();
        if (historyLeft || kept.isEmpty()) {
            return kept;
        }
        Set<String> seen;
        try {
            seen = store.seenAmong(userId, kept.stream().map(ScoredItem::itemId).toList());
        } catch (RuntimeException e) { // the feature store is down: nothing is known to be seen
            return kept;
        }
        return seen.isEmpty() ? kept : kept.stream().filter(i -> !seen.contains(i.itemId())).toList();
    }
}
