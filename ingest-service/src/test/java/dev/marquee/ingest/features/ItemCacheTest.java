package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.redis.FeatureStore.ItemTaste;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ItemCacheTest {
    private static final long TTL = TimeUnit.SECONDS.toNanos(10);
    private final ItemTaste books = new ItemTaste("books", new float[] {1, 0});

    @Test
    void itemReadWithinTheTtlComesFromTheCacheAndIsReadAgainAfterIt() {
        ItemCache cache = new ItemCache(TTL, 10);
        cache.put("i-1", books, 0);
        assertThat(cache.get("i-1", TTL - 1)).isSameAs(books);
        assertThat(cache.get("i-1", TTL)).isNull();
        assertThat(cache.get("i-1", 0)).as("expired entries are dropped").isNull();
    }

    @Test
    void itemNotEmbeddedYetIsReadAgainByEveryBatch() {
        ItemCache cache = new ItemCache(TTL, 10);
        cache.put("i-1", new ItemTaste("books", null), 0);
        cache.put("i-2", new ItemTaste(null, null), 0);
        assertThat(cache.get("i-1", 1)).isNull();
        assertThat(cache.get("i-2", 1)).isNull();
    }

    @Test
    void leastRecentlyUsedItemGoesFirstWhenFull() {
        ItemCache cache = new ItemCache(TTL, 2);
        cache.put("i-1", books, 0);
        cache.put("i-2", books, 0);
        cache.get("i-1", 1);
        cache.put("i-3", books, 1);
        assertThat(cache.get("i-1", 2)).isNotNull();
        assertThat(cache.get("i-2", 2)).isNull();
        assertThat(cache.get("i-3", 2)).isNotNull();
    }

    @Test
    void zeroTtlKeepsNothing() {
        ItemCache cache = new ItemCache(0, 10);
        cache.put("i-1", books, 0);
        assertThat(cache.get("i-1", 0)).isNull();
    }
}
