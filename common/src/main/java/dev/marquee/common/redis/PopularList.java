package dev.marquee.common.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;

/**
 * The global popular list, read from the {@link FeatureStore} at most once per TTL for each size step of 64 items: it
 * is the same for every user, so the serving paths that fall back on it (retrieval's popular source, the gateway when
 * retrieval is down or when it sheds load) answer from memory. Under overload the gateway's shed requests used to queue
 * for Redis connections (146 of 173 request threads in one thread dump at 200/s), so the valve itself was the jam.
 * A zero TTL reads Redis every time.
 */
public final class PopularList {
    private static final int SIZE_STEP = 64;
    private final FeatureStore store;
    private final Cache<Integer, Map<String, Double>> cache;

    public PopularList(FeatureStore store, Duration ttl) {
        this.store = store;
        this.cache = ttl.isZero() ? null : Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(64).build();
    }

    /** At least the {@code n} most popular items (fewer only if there are fewer), best first, with their weights. */
    public Map<String, Double> top(int n) {
        if (cache == null) {
            return store.popular(n);
        }
        int size = (n + SIZE_STEP - 1) / SIZE_STEP * SIZE_STEP;
        return cache.get(size, store::popular);
    }
}
