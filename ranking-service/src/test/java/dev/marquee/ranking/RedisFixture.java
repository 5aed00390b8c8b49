package dev.marquee.ranking;

import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.util.Map;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Writes users and items to the real Redis in the layout the stream consumer and the embedder write. */
final class RedisFixture {
    private final StringRedisTemplate redis;

    RedisFixture(StringRedisTemplate redis) {
        this.redis = redis;
    }

    void item(String itemId, String category, double price, float[] vector) {
        String key = RedisKeys.item(itemId);
        redis.opsForHash().putAll(key, Map.of(RedisKeys.ITEM_CATEGORY, category, RedisKeys.ITEM_TITLE, "t-" + itemId,
                RedisKeys.ITEM_PRICE, Double.toString(price)));
        redis.execute((RedisCallback<Object>) c -> c.hashCommands().hSet(FeatureStore.bytes(key),
                FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(Vectors.normalized(vector))));
    }

    UserState user(String userId) {
        return UserState.fromBytes((byte[]) redis.execute((RedisCallback<Object>) c ->
                c.stringCommands().get(FeatureStore.bytes(RedisKeys.user(userId)))));
    }

    void user(String userId, UserState state) {
        redis.execute((RedisCallback<Object>) c -> {
            c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(userId)), state.toBytes());
            return null;
        });
    }

    /** What the stream consumer does to the user's state for a click (weight 1) on the item, {@code atMillis}. */
    void click(String userId, String itemId, String category, float[] vector, long atMillis) {
        UserState state = user(userId);
        long elapsed = state.advanceTo(atMillis);
        state.addTaste(UserState.decay(elapsed, 7L * 24 * 3600 * 1000), Vectors.normalized(vector), 1.0);
        state.addCategory(UserState.decay(elapsed, 7L * 24 * 3600 * 1000), category, 1.0, 16);
        state.addRecent(itemId, 50);
        state.countEvent();
        user(userId, state);
    }
}
