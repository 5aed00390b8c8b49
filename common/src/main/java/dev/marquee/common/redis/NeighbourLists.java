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
 * seeds' titles, read from the {@link FeatureStore} at most once per TTL for each item and list size: a popular item seeds the lists of many users within a second, and each read of its
 * neighbours is ~50 scored members that Redis writes out and the caller parses (score parsing was the largest part of
 * the gateway's Redis client work; docs/benchmarks.md, "2026-12-03 (2)"). Which items seed a user's list is read
 * fresh with the user's state every time, so a click still changes the next list at once; only the neighbour counts
 * of a seed may be up to a TTL old. The items not in memory are read in one round trip. A zero TTL reads every time.
 */
public final class NeighbourLists {
    /** Most seed lists kept (~50 neighbours each). */
    private static final int MAX_LISTS = 50_000;
    private final FeatureStore store;
    private final Function<String, String> listKey;
    private final Cache<Key, Seed> cache;

    private record Key(String itemId, int n) {
    }

    private record Seed(Map<String, Double> neighbours, String title) {
    }

    /** @param listKey the Redis key of an item's neighbour list, e.g. {@code RedisKeys::coVisits} */
    public NeighbourLists(FeatureStore store, Function<String, String> listKey, Duration ttl) {
        this(store, listKey, ttl, System::nanoTime);
    }

    /** With the clock the TTL is measured on (nanoseconds). */
    public NeighbourLists(FeatureStore store, Function<String, String> listKey, Duration ttl, LongSupplier clock) {
        this.store = store;
        this.listKey = listKey;
        this.cache = ttl.isZero() ? null : Caffeine.newBuilder().ticker(clock::getAsLong).expireAfterWrite(ttl)
                .maximumSize(MAX_LISTS).build();
    }

    /** {@link #of} when the lists of all these items are in memory, else {@code null} without a read. */
    public FeatureStore.CoVisits ofIfCached(List<String> itemIds, int n) {
        if (cache == null) {
            return null;
        }
        List<Key> keys = keys(itemIds, n);
        Map<Key, Seed> found = cache.getAllPresent(keys);
        return found.size() < new HashSet<>(keys).size() ? null : coVisits(keys, found);
    }

    /** As {@link FeatureStore#neighboursWithTitles}: up to {@code n} neighbours of each item, and the items' titles. */
    public FeatureStore.CoVisits of(List<String> itemIds, int n) {
        if (cache == null) {
            return store.neighboursWithTitles(listKey, itemIds, n);
        }
        List<Key> keys = keys(itemIds, n);
        Map<Key, Seed> found = cache.getAll(keys, missing -> {
            List<String> ids = new ArrayList<>();
            missing.forEach(k -> ids.add(k.itemId()));
            FeatureStore.CoVisits read = store.neighboursWithTitles(listKey, ids, n);
            Map<Key, Seed> loaded = new HashMap<>();
            for (String id : ids) {
                loaded.put(new Key(id, n), new Seed(read.neighbours().getOrDefault(id, Map.of()),
                        read.titles().get(id)));
            }
            return loaded;
        });
        return coVisits(keys, found);
    }

    private static List<Key> keys(List<String> itemIds, int n) {
        List<Key> keys = new ArrayList<>(itemIds.size());
        itemIds.forEach(id -> keys.add(new Key(id, n)));
        return keys;
    }

    private static FeatureStore.CoVisits coVisits(List<Key> keys, Map<Key, Seed> found) {
        Map<String, Map<String, Double>> neighbours = new LinkedHashMap<>();
        Map<String, String> titles = new HashMap<>();
        for (Key k : keys) {
            Seed s = found.get(k);
            neighbours.put(k.itemId(), s.neighbours());
            if (s.title() != null) {
                titles.put(k.itemId(), s.title());
            }
        }
        return new FeatureStore.CoVisits(neighbours, titles);
    }
}
