package dev.marquee.gateway;

import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.util.Map;
import java.util.Random;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Catalog items written as the embedder and the stream consumer write them. */
final class TestItems {
    private TestItems() {
    }

    /** Title {@code t-<id>}, category, price and a random unit T5 vector of 16 dimensions. */
    static void item(StringRedisTemplate redis, String id, String category, double price, Random random) {
        String key = RedisKeys.item(id);
        redis.opsForHash().putAll(key, Map.of(RedisKeys.ITEM_CATEGORY, category, RedisKeys.ITEM_TITLE, "t-" + id,
                RedisKeys.ITEM_PRICE, Double.toString(price)));
        float[] vector = new float[16];
        for (int d = 0; d < vector.length; d++) {
            vector[d] = (float) random.nextGaussian();
        }
        redis.execute((RedisCallback<Object>) c -> c.hashCommands().hSet(FeatureStore.bytes(key),
                FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(Vectors.normalized(vector))));
    }
}
