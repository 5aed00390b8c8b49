package dev.marquee.ranking.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.config.RankingProperties;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Item features for /rank, kept for {@code marquee.ranking.item-cache-ttl} after they were read: a request reads from
 * Redis only the candidates nobody asked for lately, instead of ~200 commands for 100 candidates. Items Redis does
 * not know are not cached (they are looked up again next time).
 */
@Component
public class ItemFeatureCache {
    private static final int MAX_ITEMS = 200_000;
    private final FeatureStore store;
    private final Cache<String, ItemFeatures> cache;

    ItemFeatureCache(FeatureStore store, RankingProperties props) {
        this.store = store;
        this.cache = props.itemCacheTtl().isZero() ? null
                : Caffeine.newBuilder().expireAfterWrite(props.itemCacheTtl()).maximumSize(MAX_ITEMS).build();
    }

    /** Features of the given items in the given order, unknown items left out (as {@link FeatureStore#items}). */
    public Map<String, ItemFeatures> items(Collection<String> itemIds) {
        if (cache == null) {
            return store.items(itemIds);
        }
        Map<String, ItemFeatures> found = cache.getAll(List.copyOf(itemIds),
                missing -> store.items(List.<String>copyOf(missing)));
        Map<String, ItemFeatures> ordered = new LinkedHashMap<>();
        for (String id : itemIds) {
            ItemFeatures f = found.get(id);
            if (f != null) {
                ordered.put(id, f);
            }
        }
        return ordered;
    }
}
