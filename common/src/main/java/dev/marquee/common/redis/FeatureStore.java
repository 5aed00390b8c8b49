package dev.marquee.common.redis;

import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Reads user and item features from Redis, one pipelined round trip per call. Services that rank, retrieve or train
 * read features through this class only.
 */
public class FeatureStore {
    private final StringRedisTemplate redis;
    /** No serializers: pipelined results (hash fields and values included) stay raw bytes. */
    private final RedisTemplate<byte[], byte[]> raw = new RedisTemplate<>();

    public FeatureStore(StringRedisTemplate redis) {
        this.redis = redis;
        raw.setConnectionFactory(redis.getRequiredConnectionFactory());
        raw.setEnableDefaultSerializer(false);
        raw.afterPropertiesSet();
    }

    /**
     * Runs the callback in one pipeline and returns its results as raw values ({@code byte[]}, lists and maps of
     * {@code byte[]}, numbers, booleans). Writers of binary values use this too.
     */
    public List<Object> pipelined(RedisCallback<Object> callback) {
        return raw.executePipelined(callback);
    }

    public UserFeatures user(String userId) {
        List<Object> r = pipelined(c -> {
            c.stringCommands().get(bytes(RedisKeys.userTaste(userId)));
            c.hashCommands().hGetAll(bytes(RedisKeys.userCategories(userId)));
            c.stringCommands().get(bytes(RedisKeys.userEventCount(userId)));
            c.listCommands().lRange(bytes(RedisKeys.userRecent(userId)), 0, -1);
            return null;
        });
        float[] taste = Vectors.fromBytes((byte[]) r.get(0));
        Map<String, Double> categories = new HashMap<>();
        asMap(r.get(1)).forEach((k, v) -> categories.put(k, Double.parseDouble(v)));
        byte[] n = (byte[]) r.get(2);
        long count = n == null ? 0 : Long.parseLong(string(n));
        List<String> recent = new ArrayList<>();
        if (r.get(3) instanceof List<?> list) {
            list.forEach(b -> recent.add(string((byte[]) b)));
        }
        return new UserFeatures(userId, taste, categories, count, recent);
    }

    /** Features of the given items, in the given order; items unknown to the store are left out. */
    public Map<String, ItemFeatures> items(Collection<String> itemIds) {
        List<String> ids = List.copyOf(itemIds);
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<Object> r = pipelined(c -> {
            for (String id : ids) {
                c.hashCommands().hGetAll(bytes(RedisKeys.item(id)));
                c.zSetCommands().zScore(bytes(RedisKeys.POPULAR), bytes(id));
            }
            return null;
        });
        Map<String, ItemFeatures> out = new LinkedHashMap<>();
        for (int k = 0; k < ids.size(); k++) {
            Map<?, ?> hash = (Map<?, ?>) r.get(2 * k);
            if (hash == null || hash.isEmpty()) {
                continue;
            }
            Map<String, byte[]> fields = new HashMap<>();
            hash.forEach((f, v) -> fields.put(string((byte[]) f), (byte[]) v));
            Double pop = (Double) r.get(2 * k + 1);
            String price = string(fields.get(RedisKeys.ITEM_PRICE));
            out.put(ids.get(k), new ItemFeatures(ids.get(k),
                    string(fields.get(RedisKeys.ITEM_TITLE)),
                    string(fields.get(RedisKeys.ITEM_CATEGORY)),
                    price == null ? 0.0 : Double.parseDouble(price),
                    Vectors.fromBytes(fields.get(RedisKeys.ITEM_VECTOR)),
                    pop == null ? 0.0 : pop));
        }
        return out;
    }

    /** What the event consumer needs of an item: its category and vector. */
    public record ItemTaste(String category, float[] vector) {
    }

    /**
     * Category and vector of each known item (one HMGET each, one round trip): the event consumer's read, without the
     * title, price and popularity that {@link #items} also fetches.
     */
    public Map<String, ItemTaste> itemTastes(Collection<String> itemIds) {
        List<String> ids = List.copyOf(itemIds);
        if (ids.isEmpty()) {
            return Map.of();
        }
        byte[] category = bytes(RedisKeys.ITEM_CATEGORY);
        byte[] vector = bytes(RedisKeys.ITEM_VECTOR);
        List<Object> r = pipelined(c -> {
            ids.forEach(id -> c.hashCommands().hMGet(bytes(RedisKeys.item(id)), category, vector));
            return null;
        });
        Map<String, ItemTaste> out = new HashMap<>();
        for (int k = 0; k < ids.size(); k++) {
            List<?> values = (List<?>) r.get(k);
            if (values != null && (values.get(0) != null || values.get(1) != null)) {
                out.put(ids.get(k), new ItemTaste(string((byte[]) values.get(0)),
                        Vectors.fromBytes((byte[]) values.get(1))));
            }
        }
        return out;
    }

    /** Up to {@code n} most popular item ids with their weighted counts, most popular first. */
    public Map<String, Double> popular(int n) {
        Map<String, Double> out = new LinkedHashMap<>();
        var tuples = redis.opsForZSet().reverseRangeWithScores(RedisKeys.POPULAR, 0, n - 1L);
        if (tuples != null) {
            tuples.forEach(t -> out.put(t.getValue(), t.getScore()));
        }
        return out;
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static Map<String, String> asMap(Object o) {
        Map<String, String> out = new HashMap<>();
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(string((byte[]) k), string((byte[]) v)));
        }
        return out;
    }

}
