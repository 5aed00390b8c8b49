package dev.marquee.common.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The neighbours of seed items in one family of neighbour lists (co-visitation, transitions: {@code listKey}) and the
 * seeds' titles, read from the {@link FeatureStore} at most once per TTL for each item: a popular item seeds the lists
 * of many users within a second, and each read of its neighbours is ~50-100 scored members that Redis writes out and
 * the caller parses (score parsing was the largest part of the gateway's Redis client work; docs/benchmarks.md,
 * "2026-12-03 (2)"). Which items seed a user's list is read fresh with the user's state every time, so a click still
 * changes the next list at once; only the neighbour counts of a seed may be up to a TTL old. The items not in memory
 * are read in one round trip. A zero TTL reads every time.
 *
 * <p>A seed's list is read to {@code depth} (more than the stream consumer keeps by default) and callers asking for
 * fewer get its strongest {@code n}: the candidate sources and the ranking features, which ask for different
 * numbers, share one read and one entry ({@link SeedNeighbours}). Asked for more than {@code depth}, it reads Redis.
 */
public final class NeighbourLists {
    /** Most seed lists kept. */
    private static final int MAX_LISTS = 50_000;
    private final FeatureStore store;
    private final Function<String, String> listKey;
    private final int depth;
    private final Cache<String, Seed> cache;

    private record Seed(Map<String, Double> neighbours, String title) {
    }

    /** @param listKey the Redis key of an item's neighbour list, e.g. {@code RedisKeys::coVisits} */
    public NeighbourLists(FeatureStore store, Function<String, String> listKey, Duration ttl, int depth) {
        this(store, listKey, ttl, depth, System::nanoTime);
    }

    /** With the clock the TTL is measured on (nanoseconds). */
    public NeighbourLists(FeatureStore store, Function<String, String> listKey, Duration ttl, int depth,
                          LongSupplier clock) {
        this.store = store;
        this.listKey = listKey;
        this.depth = depth;
        this.cache = ttl.isZero() ? null : Caffeine.newBuilder().ticker(clock::getAsLong).expireAfterWrite(ttl)
                .maximumSize(MAX_LISTS).build();
    }

    /** {@link #of} when the lists of all these items are in memory, else {@code null} without a read. */
    public FeatureStore.CoVisits ofIfCached(List<String> itemIds, int n) {
        if (cache == null || n > depth) {
            return null;
        }
        Map<String, Seed> found = cache.getAllPresent(itemIds);
        return found.size() < new HashSet<>(itemIds).size() ? null : coVisits(itemIds, found, n);
    }

    /** As {@link FeatureStore#neighboursWithTitles}: up to {@code n} neighbours of each item, and the items' titles. */
    public FeatureStore.CoVisits of(List<String> itemIds, int n) {
        if (cache == null || n > depth) {
            return store.neighboursWithTitles(listKey, itemIds, n);
        }
        Map<String, Seed> found = cache.getAll(itemIds, missing -> {
            List<String> ids = new ArrayList<>();
            missing.forEach(ids::add);
            FeatureStore.CoVisits read = store.neighboursWithTitles(listKey, ids, depth);
            Map<String, Seed> loaded = new HashMap<>();
            for (String id : ids) {
                loaded.put(id, new Seed(read.neighbours().getOrDefault(id, Map.of()), read.titles().get(id)));
            }
            return loaded;
        });
        return coVisits(itemIds, found, n);
    }

    private static FeatureStore.CoVisits coVisits(List<String> itemIds, Map<String, Seed> found, int n) {
        Map<String, Map<String, Double>> neighbours = new LinkedHashMap<>();
        Map<String, String> titles = new HashMap<>();
        for (String id : itemIds) {
            Seed s = found.get(id);
            neighbours.put(id, strongest(s.neighbours(), n));
            if (s.title() != null) {
                titles.put(id, s.title());
            }
        }
        return new FeatureStore.CoVisits(neighbours, titles);
    }

    /** The first {@code n} of a strongest-first list: the list itself when it is no longer (no copy). */
    private static Map<String, Double> strongest(Map<String, Double> list, int n) {
        if (list.size() <= n) {
            return list;
        }
        Map<String, Double> out = new LinkedHashMap<>(2 * n);
        for (Map.Entry<String, Double> e : list.entrySet()) {
            if (out.size() == n) {
                break;
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }
}
