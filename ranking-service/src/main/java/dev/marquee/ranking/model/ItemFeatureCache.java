package dev.marquee.ranking.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.config.RankingProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Item features for ranking, in two parts with their own lifetimes: the catalog's fields (title, category, price,
 * T5 vector) are kept for {@code marquee.ranking.item-catalog-ttl} after they were read, the counters events change
 * (popularity, impressions, clicks) and the active flag for {@code marquee.ranking.item-cache-ttl}. A request reads
 * from Redis, in one round trip, everything of the candidates nobody asked for lately and only the counters of those
 * whose counters are older than that (the catalog fields, the vector above all, are most of an item's bytes). Items
 * Redis does not know are remembered as unknown for {@code item-cache-ttl} (a candidate source may offer items whose
 * events came before their catalog entry: they cost no read per request, and a new catalog item is ranked within that
 * time); an item that disappears from Redis
 * altogether is served until its catalog fields are reread (the catalog withdraws items by marking them inactive,
 * which is seen with the counters).
 */
@Component
public class ItemFeatureCache {
    private static final int MAX_ITEMS = 200_000;
    private final FeatureStore store;
    /**
     * Entries expire {@code item-catalog-ttl} after their catalog fields were read (a counters refresh keeps that),
     * those of unknown items {@code item-cache-ttl} after they were found unknown.
     */
    private final Cache<String, Entry> cache;
    private final long countersTtlNanos;
    private final LongSupplier clock;

    /** Features as read (null: unknown to the catalog), and when their counters were (the clock's nanoseconds). */
    private record Entry(ItemFeatures features, long countersReadAt) {
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
        Duration catalogTtl = props.itemCatalogTtl().compareTo(props.itemCacheTtl()) < 0 ? props.itemCacheTtl()
                : props.itemCatalogTtl();
        Duration unknownTtl = props.itemCacheTtl();
        this.cache = countersTtlNanos == 0 ? null : Caffeine.newBuilder().ticker(clock::getAsLong)
                .expireAfter(Expiry.<String, Entry>creating((id, e) -> e.features() == null ? unknownTtl : catalogTtl))
                .maximumSize(MAX_ITEMS).build();
    }

    /** Features of the given items in the given order, unknown items left out (as {@link FeatureStore#items}). */
    public Map<String, ItemFeatures> items(Collection<String> itemIds) {
        if (cache == null) {
            return store.items(itemIds);
        }
        long now = clock.getAsLong();
        Map<String, Entry> cached = cache.getAllPresent(itemIds);
        Map<String, ItemFeatures> found = new HashMap<>();
        List<String> uncached = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (String id : itemIds) {
            Entry e = cached.get(id);
            if (e == null) {
                uncached.add(id);
            } else if (e.features() == null) {
                continue; // unknown to the catalog when last read, less than item-cache-ttl ago
            } else if (now - e.countersReadAt() >= countersTtlNanos) {
                stale.add(id);
            } else {
                found.put(id, e.features());
            }
        }
        if (!uncached.isEmpty() || !stale.isEmpty()) {
            FeatureStore.ItemReads read = store.itemsAndCounters(uncached, stale);
            for (String id : uncached) {
                ItemFeatures f = read.items().get(id);
                if (f != null) {
                    found.put(id, f);
                }
                cache.put(id, new Entry(f, now));
            }
            read.counters().forEach((id, c) -> {
                ItemFeatures f = cached.get(id).features().with(c);
                found.put(id, f);
                cache.put(id, new Entry(f, now));
            });
        }
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
