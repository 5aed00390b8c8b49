package dev.marquee.ranking.model;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.marquee.common.feature.ItemCounters;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.config.RankingProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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

    /**
     * Features as read (null: unknown to the catalog), and when their counters were (the clock's nanoseconds). A
     * counters refresh updates the entry in place: it keeps the entry's expiry (that of its catalog fields) and costs
     * the cache no write.
     */
    private static final class Entry {
        private volatile ItemFeatures features;
        private volatile long countersReadAt;

        Entry(ItemFeatures features, long countersReadAt) {
            this.features = features;
            this.countersReadAt = countersReadAt;
        }

        ItemFeatures features() {
            return features;
        }

        void refresh(ItemFeatures features, long at) {
            this.features = features;
            this.countersReadAt = at;
        }
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
        List<String> ids = List.copyOf(itemIds);
        Entry[] entries = new Entry[ids.size()];
        List<String> uncached = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            String id = ids.get(i);
            Entry e = cache.getIfPresent(id);
            entries[i] = e;
            if (e == null) {
                uncached.add(id);
            } else if (e.features() != null && now - e.countersReadAt >= countersTtlNanos) {
                stale.add(id);
            } // else: fresh, or unknown to the catalog when last read, less than item-cache-ttl ago
        }
        if (!uncached.isEmpty() || !stale.isEmpty()) {
            FeatureStore.ItemReads read = store.itemsAndCounters(uncached, stale);
            for (int i = 0; i < entries.length; i++) {
                Entry e = entries[i];
                if (e == null) {
                    e = new Entry(read.items().get(ids.get(i)), now);
                    cache.put(ids.get(i), e);
                    entries[i] = e;
                } else if (e.features() != null) {
                    ItemCounters c = read.counters().get(ids.get(i));
                    if (c != null) {
                        e.refresh(e.features().with(c), now);
                    }
                }
            }
        }
        Map<String, ItemFeatures> ordered = new LinkedHashMap<>(2 * entries.length);
        for (int i = 0; i < entries.length; i++) {
            ItemFeatures f = entries[i].features();
            if (f != null) {
                ordered.put(ids.get(i), f);
            }
        }
        return ordered;
    }
}
