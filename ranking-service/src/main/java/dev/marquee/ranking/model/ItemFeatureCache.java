package dev.marquee.ranking.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.marquee.common.feature.ItemCounters;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.config.RankingProperties;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Item features for ranking, in two parts with their own lifetimes: the catalog's fields (title, category, price,
 * T5 vector) are kept for {@code marquee.ranking.item-catalog-ttl} after they were read, the counters events change
 * (popularity, impressions, clicks) and the active flag for {@code marquee.ranking.item-cache-ttl}. A request reads
 * from Redis, in one round trip, everything of the candidates nobody asked for lately and only the counters of those
 * whose counters are older than that: the catalog fields, the vector above all, are most of an item's bytes and of
 * the work of parsing them. Items Redis does not know are not cached (they are looked up again next time).
 */
@Component
public class ItemFeatureCache {
    private static final int MAX_ITEMS = 200_000;
    private final FeatureStore store;
    private final Cache<String, Entry> cache;
    private final long countersTtlNanos;
    private final long catalogTtlNanos;
    private final LongSupplier clock;

    /** Features as read, when their catalog fields were and when their counters were (nanoTime). */
    private record Entry(ItemFeatures features, long catalogReadAt, long countersReadAt) {
    }

    @Autowired
    ItemFeatureCache(FeatureStore store, RankingProperties props) {
        this(store, props, System::nanoTime);
    }

    ItemFeatureCache(FeatureStore store, RankingProperties props, LongSupplier clock) {
        this.store = store;
        this.clock = clock;
        this.countersTtlNanos = props.itemCacheTtl().toNanos();
        // the catalog fields are never kept for less long than the counters read with them
        this.catalogTtlNanos = Math.max(countersTtlNanos, props.itemCatalogTtl().toNanos());
        // entries of items nobody asks for go after the catalog TTL; asked-for ones are replaced when they age
        this.cache = countersTtlNanos == 0 ? null : Caffeine.newBuilder()
                .expireAfterWrite(java.time.Duration.ofNanos(catalogTtlNanos)).maximumSize(MAX_ITEMS).build();
    }

    /** Features of the given items in the given order, unknown items left out (as {@link FeatureStore#items}). */
    public Map<String, ItemFeatures> items(Collection<String> itemIds) {
        if (cache == null) {
            return store.items(itemIds);
        }
        long now = clock.getAsLong();
        Map<String, Entry> cached = cache.getAllPresent(itemIds);
        Set<String> unknown = new LinkedHashSet<>();
        Set<String> stale = new LinkedHashSet<>();
        for (String id : itemIds) {
            Entry e = cached.get(id);
            if (e == null || now - e.catalogReadAt() >= catalogTtlNanos) {
                unknown.add(id);
            } else if (now - e.countersReadAt() >= countersTtlNanos) {
                stale.add(id);
            }
        }
        Map<String, ItemFeatures> fresh = new LinkedHashMap<>();
        if (!unknown.isEmpty() || !stale.isEmpty()) {
            FeatureStore.ItemReads read = store.itemsAndCounters(unknown, stale);
            read.items().forEach((id, f) -> {
                fresh.put(id, f);
                cache.put(id, new Entry(f, now, now));
            });
            for (String id : stale) {
                ItemCounters c = read.counters().get(id);
                if (c == null) { // gone from the catalog
                    cache.invalidate(id);
                } else {
                    Entry e = cached.get(id);
                    ItemFeatures f = e.features().with(c);
                    fresh.put(id, f);
                    cache.put(id, new Entry(f, e.catalogReadAt(), now));
                }
            }
            unknown.stream().filter(id -> !fresh.containsKey(id)).forEach(cache::invalidate);
        }
        Map<String, ItemFeatures> ordered = new LinkedHashMap<>();
        for (String id : itemIds) {
            ItemFeatures f = fresh.get(id);
            if (f == null && cached.containsKey(id) && !stale.contains(id) && !unknown.contains(id)) {
                f = cached.get(id).features();
            }
            if (f != null) {
                ordered.put(id, f);
            }
        }
        return ordered;
    }
}
