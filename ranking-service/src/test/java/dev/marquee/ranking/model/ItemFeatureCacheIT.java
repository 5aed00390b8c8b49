package dev.marquee.ranking.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ranking.config.RankingProperties;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * {@link ItemFeatureCache} on the real Redis with a clock of its own (the defaults: counters 2 s, catalog fields
 * 60 s): what each part rereads and when.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "marquee.ranking.model-dir=target/cache-models-${random.uuid}"})
@NeedsInfrastructure
class ItemFeatureCacheIT {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    @Autowired
    RankingProperties props;
    private ItemFeatureCache cache;
    private String a;
    private String b;

    @BeforeEach
    void items() {
        cache = new ItemFeatureCache(store, props, nanos::get);
        a = "fc-a-" + run;
        b = "fc-b-" + run;
        for (String id : List.of(a, b)) {
            redis.opsForHash().putAll(RedisKeys.item(id), Map.of(RedisKeys.ITEM_CATEGORY, "books",
                    RedisKeys.ITEM_TITLE, "old " + id, RedisKeys.ITEM_PRICE, "12.5"));
            redis.opsForHash().put(RedisKeys.ITEM_IMPRESSIONS, id, "10");
            redis.opsForHash().put(RedisKeys.ITEM_CLICKS, id, "1");
            redis.execute((RedisCallback<Object>) c -> c.hashCommands().hSet(FeatureStore.bytes(RedisKeys.item(id)),
                    FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(Vectors.normalized(
                            new float[] {1, 2, 3, 4}))));
        }
    }

    private void advance(long seconds) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void servesWhatTheFeatureStoreReadsInTheAskedOrder() {
        assertThat(cache.items(List.of(b, a)).keySet()).containsExactly(b, a);
        assertThat(cache.items(List.of(a, b))).usingRecursiveComparison().isEqualTo(store.items(List.of(a, b)));
    }

    @Test
    void nothingIsReadAgainWithinTheCountersTtl() {
        cache.items(List.of(a));
        redis.opsForHash().put(RedisKeys.ITEM_IMPRESSIONS, a, "99");

        advance(1);

        assertThat(cache.items(List.of(a)).get(a).impressions()).isEqualTo(10);
    }

    @Test
    void countersAndTheActiveFlagAreRereadAfterTheirTtlWhileCatalogFieldsAreKept() {
        ItemFeatures first = cache.items(List.of(a, b)).get(a);
        redis.opsForHash().put(RedisKeys.ITEM_IMPRESSIONS, a, "20");
        redis.opsForHash().put(RedisKeys.ITEM_CLICKS, a, "5");
        redis.opsForHash().put(RedisKeys.item(a), RedisKeys.ITEM_TITLE, "new title");
        redis.opsForSet().add(RedisKeys.INACTIVE_ITEMS, b);

        advance(3);
        Map<String, ItemFeatures> later = cache.items(List.of(a, b));

        assertThat(later.get(a).impressions()).isEqualTo(20);
        assertThat(later.get(a).clicks()).isEqualTo(5);
        assertThat(later.get(a).title()).isEqualTo("old " + a);
        assertThat(later.get(a).vector()).isEqualTo(first.vector());
        assertThat(later.get(b).active()).isFalse();
    }

    @Test
    void catalogFieldsAreRereadAfterTheCatalogTtlEvenWhenCountersWereRefreshedMeanwhile() {
        cache.items(List.of(a));
        redis.opsForHash().put(RedisKeys.item(a), RedisKeys.ITEM_TITLE, "new title");
        for (int i = 0; i < 19; i++) { // asked for all along: counters refreshed every 3 s, 57 s in all
            advance(3);
            cache.items(List.of(a));
        }
        assertThat(cache.items(List.of(a)).get(a).title()).isEqualTo("old " + a);

        advance(3);

        assertThat(cache.items(List.of(a)).get(a).title()).isEqualTo("new title");
    }

    @Test
    void anItemGoneFromRedisIsLeftOutOnceItsCatalogFieldsAreReread() {
        cache.items(List.of(a, b));
        redis.delete(RedisKeys.item(b));

        advance(3);
        assertThat(cache.items(List.of(a, b)).keySet()).containsExactly(a, b);
        advance(60);

        assertThat(cache.items(List.of(a, b)).keySet()).containsExactly(a);
        assertThat(cache.items(List.of(b))).isEmpty();
    }

    @Test
    void anItemUnknownToTheCatalogIsLookedUpAgainOnlyAfterTheCountersTtl() {
        String later = "fc-later-" + run;
        assertThat(cache.items(List.of(a, later)).keySet()).containsExactly(a);
        redis.opsForHash().putAll(RedisKeys.item(later), Map.of(RedisKeys.ITEM_CATEGORY, "books",
                RedisKeys.ITEM_TITLE, "late", RedisKeys.ITEM_PRICE, "3"));

        advance(1);
        assertThat(cache.items(List.of(a, later)).keySet()).containsExactly(a);
        advance(2);

        assertThat(cache.items(List.of(a, later)).keySet()).containsExactly(a, later);
    }

    @Test
    void aWithdrawnItemIsSeenWithTheCountersAndOfferedAgainWhenTheCatalogSaysSo() {
        cache.items(List.of(b));
        redis.opsForSet().add(RedisKeys.INACTIVE_ITEMS, b);
        advance(3);
        assertThat(cache.items(List.of(b)).get(b).active()).isFalse();

        redis.opsForSet().remove(RedisKeys.INACTIVE_ITEMS, b);
        advance(3);

        assertThat(cache.items(List.of(b)).get(b).active()).isTrue();
    }
}
