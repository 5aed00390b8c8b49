package dev.marquee.common.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global popular list and the trending and popular lists of each category, read from the {@link FeatureStore} at
 * most once per TTL for each size step of 64 items: they are the same for every user, so the serving paths that use
 * them (retrieval's popular and category sources, the gateway when retrieval is down or when it sheds load) answer
 * from memory. Under overload the gateway's shed requests used to queue for Redis connections (146 of 173 request
 * threads in one thread dump at 200/s), so the valve itself was the jam; and reading the category lists for every
 * request (3 categories x 2 lists x ~150 scored members, each score parsed from text) was the largest allocation
 * site of /recommend (docs/benchmarks.md, 2026-12-03). A zero TTL reads Redis every time.
 */
public final class PopularList {
    private static final int SIZE_STEP = 64;
    private final FeatureStore store;
    private final Cache<Integer, Map<String, Double>> cache;
    private final Cache<CategoryKey, List<Map<String, Double>>> categoryCache;

    private record CategoryKey(String category, int size) {
    }

    public PopularList(FeatureStore store, Duration ttl) {
        this.store = store;
        this.cache = ttl.isZero() ? null : Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(64).build();
        this.categoryCache = ttl.isZero() ? null
                : Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(4096).build();
    }

    /** At least the {@code n} most popular items (fewer only if there are fewer), best first, with their weights. */
    public Map<String, Double> top(int n) {
        if (cache == null) {
            return store.popular(n);
        }
        return cache.get(step(n), store::popular);
    }

    /**
     * As {@link FeatureStore#trendingAndPopular}: category -> [trending, popular], each at least {@code n} long (fewer
     * only if the category has fewer), in the given order; the categories not in memory are read in one round trip.
     */
    public Map<String, List<Map<String, Double>>> trendingAndPopular(List<String> categories, int n) {
        if (categoryCache == null) {
            return store.trendingAndPopular(categories, n);
        }
        int size = step(n);
        List<CategoryKey> keys = keys(categories, n);
        Map<CategoryKey, List<Map<String, Double>>> found = categoryCache.getAll(keys, missing -> {
            List<String> names = new ArrayList<>();
            missing.forEach(k -> names.add(k.category()));
            Map<CategoryKey, List<Map<String, Double>>> read = new LinkedHashMap<>();
            store.trendingAndPopular(names, size).forEach((c, lists) -> read.put(new CategoryKey(c, size), lists));
            return read;
        });
        return byCategory(keys, found);
    }

    /** {@link #trendingAndPopular} when the lists of all these categories are in memory, else {@code null}. */
    public Map<String, List<Map<String, Double>>> trendingAndPopularIfCached(List<String> categories, int n) {
        if (categoryCache == null) {
            return null;
        }
        List<CategoryKey> keys = keys(categories, n);
        Map<CategoryKey, List<Map<String, Double>>> found = categoryCache.getAllPresent(keys);
        return found.size() < new HashSet<>(keys).size() ? null : byCategory(keys, found);
    }

    private static List<CategoryKey> keys(List<String> categories, int n) {
        int size = step(n);
        List<CategoryKey> keys = new ArrayList<>(categories.size());
        categories.forEach(c -> keys.add(new CategoryKey(c, size)));
        return keys;
    }

    private static Map<String, List<Map<String, Double>>> byCategory(List<CategoryKey> keys,
                                                                     Map<CategoryKey, List<Map<String, Double>>> found) {
        Map<String, List<Map<String, Double>>> out = new LinkedHashMap<>();
        for (CategoryKey k : keys) {
            out.put(k.category(), found.getOrDefault(k, List.of(Map.of(), Map.of())));
        }
        return out;
    }

    private static int step(int n) {
        return (n + SIZE_STEP - 1) / SIZE_STEP * SIZE_STEP;
    }
}
