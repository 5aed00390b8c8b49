package dev.marquee.common.redis;

import dev.marquee.common.feature.ForwardDecay;
import dev.marquee.common.feature.ItemCounters;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.recommend.AnnList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /** {@link RedisKeys#CATALOG_VERSION}: 0 before the first write of item vectors. */
    public long catalogVersion() {
        String v = redis.opsForValue().get(RedisKeys.CATALOG_VERSION);
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Advances {@link RedisKeys#CATALOG_VERSION}: the searchable item vectors changed. */
    public void catalogChanged() {
        redis.opsForValue().increment(RedisKeys.CATALOG_VERSION);
    }

    public UserFeatures user(String userId) {
        byte[] stored = (byte[]) pipelined(c -> {
            c.stringCommands().get(bytes(RedisKeys.user(userId)));
            return null;
        }).get(0);
        return UserState.features(stored, userId);
    }

    /** A user's features and their ANN list computed off the request path ({@code null}: none stored). */
    public record UserAndAnnList(UserFeatures user, AnnList annList) {
    }

    /** {@link #user} and the user's {@link RedisKeys#annList}, in one round trip. */
    public UserAndAnnList userWithAnnList(String userId) {
        List<Object> read = pipelined(c -> {
            c.stringCommands().get(bytes(RedisKeys.user(userId)));
            c.stringCommands().get(bytes(RedisKeys.annList(userId)));
            return null;
        });
        return new UserAndAnnList(UserState.features((byte[]) read.get(0), userId),
                AnnList.fromBytes((byte[]) read.get(1)));
    }

    /**
     * Features of the given items, in the given order; items unknown to the catalog (no category yet) are left out.
     * Popularity is the decayed value as of now.
     */
    public Map<String, ItemFeatures> items(Collection<String> itemIds) {
        return itemsAndCounters(itemIds, List.of()).items();
    }

    /**
     * Of one read: all features of {@code items}, the counters only of {@code counters} (items whose catalog fields a
     * caller already holds); both in the given order. Items unknown to the catalog (no category) are left out of
     * {@code items}; {@code counters} has every item asked for (counters are not kept per item, so they cannot tell
     * whether the catalog still knows it).
     */
    public record ItemReads(Map<String, ItemFeatures> items, Map<String, ItemCounters> counters) {
    }

    /**
     * {@link #items} of the first list and {@link ItemCounters} of the second in one pipelined round trip: per item of
     * the first list an {@code HMGET} of its catalog fields, and for all items together one command per counter key
     * (impressions, clicks, withdrawn items, popularity; and the most popular item's score).
     */
    public ItemReads itemsAndCounters(Collection<String> items, Collection<String> counters) {
        List<String> full = List.copyOf(items);
        List<String> countersOnly = List.copyOf(counters);
        int n = full.size() + countersOnly.size();
        if (n == 0) {
            return new ItemReads(Map.of(), Map.of());
        }
        byte[][] members = new byte[n][];
        for (int k = 0; k < n; k++) {
            members[k] = bytes(k < full.size() ? full.get(k) : countersOnly.get(k - full.size()));
        }
        List<Object> r = pipelined(c -> {
            // the most popular item's score: popularity is read as a share of it (see ItemCounters)
            c.zSetCommands().zRevRangeWithScores(POPULAR, 0, 0);
            for (String id : full) {
                c.hashCommands().hMGet(bytes(RedisKeys.item(id)), CATALOG_FIELDS);
            }
            c.hashCommands().hMGet(IMPRESSIONS, members);
            c.hashCommands().hMGet(CLICKS, members);
            c.setCommands().sMIsMember(INACTIVE, members);
            c.zSetCommands().zMScore(POPULAR, members);
            return null;
        });
        double top = tuples(r.get(0), null, 0).values().stream().findFirst().orElse(0.0);
        int at = 1 + full.size();
        List<?> impressions = (List<?>) r.get(at), clicks = (List<?>) r.get(at + 1), inactive = (List<?>) r.get(at + 2),
                scores = (List<?>) r.get(at + 3);
        Map<String, ItemFeatures> out = new LinkedHashMap<>();
        Map<String, ItemCounters> outCounters = new LinkedHashMap<>();
        for (int k = 0; k < n; k++) {
            Double pop = (Double) scores.get(k);
            ItemCounters counts = new ItemCounters(pop == null || top <= 0 ? 0.0 : Math.min(1.0, pop / top),
                    (long) number((byte[]) impressions.get(k)), (long) number((byte[]) clicks.get(k)),
                    !Boolean.TRUE.equals(inactive.get(k)));
            if (k >= full.size()) {
                outCounters.put(countersOnly.get(k - full.size()), counts);
                continue;
            }
            List<?> v = (List<?>) r.get(1 + k);
            if (v == null || v.get(CATEGORY) == null) {
                continue; // unknown to the catalog
            }
            String id = full.get(k);
            out.put(id, new ItemFeatures(id, string((byte[]) v.get(TITLE)), string((byte[]) v.get(CATEGORY)),
                    number((byte[]) v.get(PRICE)), Vectors.fromBytes((byte[]) v.get(VECTOR)), counts.popularity(),
                    counts.impressions(), counts.clicks(), counts.active()));
        }
        return new ItemReads(out, outCounters);
    }

    private static final byte[] DECAY_LANDMARKS = bytes(RedisKeys.DECAY_LANDMARKS),
            POPULAR_FAMILY = bytes(RedisKeys.DECAY_POPULAR), POPULAR = bytes(RedisKeys.POPULAR),
            IMPRESSIONS = bytes(RedisKeys.ITEM_IMPRESSIONS), CLICKS = bytes(RedisKeys.ITEM_CLICKS),
            INACTIVE = bytes(RedisKeys.INACTIVE_ITEMS);
    /** The catalog's fields of an item hash that {@link ItemFeatures} holds, and their positions in the reply. */
    private static final byte[][] CATALOG_FIELDS = fields(RedisKeys.ITEM_CATEGORY, RedisKeys.ITEM_TITLE,
            RedisKeys.ITEM_PRICE, RedisKeys.ITEM_VECTOR);
    private static final int CATEGORY = 0, TITLE = 1, PRICE = 2, VECTOR = 3;

    private static byte[][] fields(String... names) {
        return java.util.Arrays.stream(names).map(FeatureStore::bytes).toArray(byte[][]::new);
    }

    /** What the event consumer needs of an item: its category and vector. */
    public record ItemTaste(String category, float[] vector) {
    }

    /** Up to {@code n} most popular item ids with their decayed weighted counts, most popular first. */
    public Map<String, Double> popular(int n) {
        return ranked(RedisKeys.POPULAR, RedisKeys.DECAY_POPULAR, n);
    }

    /** {@link #popular(int)} within one category. */
    public Map<String, Double> popular(String category, int n) {
        return ranked(RedisKeys.popular(category), RedisKeys.DECAY_POPULAR, n);
    }

    /**
     * Up to {@code n} trending item ids (short half-life counts), most trending first: the top {@code n} of every
     * category's trending set and of the uncategorized items' ({@link RedisKeys#TRENDING_UNCATEGORIZED}), merged (an
     * item in more than one, e.g. after its category changed, has the sum); two round trips.
     */
    public Map<String, Double> trending(int n) {
        List<String> keys = new ArrayList<>();
        keys.add(RedisKeys.TRENDING_UNCATEGORIZED);
        for (Object category : (Collection<?>) pipelined(c -> {
            c.setCommands().sMembers(bytes(RedisKeys.CATEGORIES));
            return null;
        }).get(0)) {
            keys.add(RedisKeys.trending(string((byte[]) category)));
        }
        List<Object> r = pipelined(c -> {
            c.hashCommands().hGet(DECAY_LANDMARKS, bytes(RedisKeys.DECAY_TRENDING));
            keys.forEach(k -> c.zSetCommands().zRevRangeWithScores(bytes(k), 0, n - 1L));
            return null;
        });
        ForwardDecay decay = decay(r.get(0));
        long now = System.currentTimeMillis();
        Map<String, Double> merged = new HashMap<>();
        for (int i = 1; i < r.size(); i++) {
            tuples(r.get(i), decay, now).forEach((id, score) -> merged.merge(id, score, Double::sum));
        }
        Map<String, Double> out = new LinkedHashMap<>();
        merged.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey())).limit(n).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** {@link #trending(int)} within one category. */
    public Map<String, Double> trending(String category, int n) {
        return ranked(RedisKeys.trending(category), RedisKeys.DECAY_TRENDING, n);
    }

    /** Up to {@code n} items most often seen in the same session as {@code itemId}, with their counts. */
    public Map<String, Double> coVisited(String itemId, int n) {
        return coVisited(List.of(itemId), n).get(itemId);
    }

    /** Titles of the given items (those that have one), one round trip. */
    public Map<String, String> titles(List<String> itemIds) {
        return itemField(itemIds, RedisKeys.ITEM_TITLE);
    }

    /** Categories of the given items (those the catalog knows), one round trip. */
    public Map<String, String> categories(List<String> itemIds) {
        return itemField(itemIds, RedisKeys.ITEM_CATEGORY);
    }

    private Map<String, String> itemField(List<String> itemIds, String field) {
        if (itemIds.isEmpty()) {
            return Map.of();
        }
        List<Object> r = pipelined(c -> {
            itemIds.forEach(id -> c.hashCommands().hGet(bytes(RedisKeys.item(id)), bytes(field)));
            return null;
        });
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < itemIds.size(); i++) {
            if (r.get(i) != null) {
                out.put(itemIds.get(i), string((byte[]) r.get(i)));
            }
        }
        return out;
    }

    /** {@link #coVisited(String, int)} of several items in one round trip, in the given order. */
    public Map<String, Map<String, Double>> coVisited(List<String> itemIds, int n) {
        if (itemIds.isEmpty()) {
            return Map.of();
        }
        List<Object> r = pipelined(c -> {
            itemIds.forEach(id -> c.zSetCommands().zRevRangeWithScores(bytes(RedisKeys.coVisits(id)), 0, n - 1L));
            return null;
        });
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (int i = 0; i < itemIds.size(); i++) {
            out.put(itemIds.get(i), tuples(r.get(i), null, 0));
        }
        return out;
    }

    /** The neighbours of several items (as {@link #coVisited(List, int)}) and those items' titles. */
    public record CoVisits(Map<String, Map<String, Double>> neighbours, Map<String, String> titles) {
    }

    /**
     * {@link #coVisited(List, int)} and {@link #titles} of the same items in one round trip: the co-visitation source
     * names the item a neighbour came from ("Because you viewed ...").
     */
    public CoVisits coVisitedWithTitles(List<String> itemIds, int n) {
        return neighboursWithTitles(RedisKeys::coVisits, itemIds, n);
    }

    /**
     * The neighbour lists under {@code listKey} (e.g. {@link RedisKeys#coVisits}, {@link RedisKeys#transitions}) of the
     * given items, up to {@code n} each, strongest first, and the items' titles, in one round trip.
     */
    public CoVisits neighboursWithTitles(java.util.function.Function<String, String> listKey, List<String> itemIds,
                                         int n) {
        if (itemIds.isEmpty()) {
            return new CoVisits(Map.of(), Map.of());
        }
        List<Object> r = pipelined(c -> {
            itemIds.forEach(id -> c.zSetCommands().zRevRangeWithScores(bytes(listKey.apply(id)), 0, n - 1L));
            itemIds.forEach(id -> c.hashCommands().hGet(bytes(RedisKeys.item(id)), bytes(RedisKeys.ITEM_TITLE)));
            return null;
        });
        Map<String, Map<String, Double>> neighbours = new LinkedHashMap<>();
        Map<String, String> titles = new HashMap<>();
        for (int i = 0; i < itemIds.size(); i++) {
            neighbours.put(itemIds.get(i), tuples(r.get(i), null, 0));
            Object title = r.get(itemIds.size() + i);
            if (title != null) {
                titles.put(itemIds.get(i), string((byte[]) title));
            }
        }
        return new CoVisits(neighbours, titles);
    }

    /**
     * Which of {@code itemIds} are in the user's history ({@link RedisKeys#history}), in one command; an empty set
     * for none.
     */
    public Set<String> seenAmong(String userId, List<String> itemIds) {
        if (itemIds.isEmpty()) {
            return Set.of();
        }
        byte[][] members = new byte[itemIds.size()][];
        for (int i = 0; i < members.length; i++) {
            members[i] = bytes(itemIds.get(i));
        }
        List<Object> r = pipelined(c -> {
            c.zSetCommands().zMScore(bytes(RedisKeys.history(userId)), members);
            return null;
        });
        @SuppressWarnings("unchecked")
        List<Double> scores = (List<Double>) r.get(0);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < itemIds.size(); i++) {
            if (scores != null && scores.get(i) != null) {
                seen.add(itemIds.get(i));
            }
        }
        return seen;
    }

    /** Trending and popular lists of several categories in one round trip: category -> [trending, popular]. */
    public Map<String, List<Map<String, Double>>> trendingAndPopular(List<String> categories, int n) {
        if (categories.isEmpty()) {
            return Map.of();
        }
        List<Object> r = pipelined(c -> {
            c.hashCommands().hGet(bytes(RedisKeys.DECAY_LANDMARKS), bytes(RedisKeys.DECAY_TRENDING));
            c.hashCommands().hGet(bytes(RedisKeys.DECAY_LANDMARKS), bytes(RedisKeys.DECAY_POPULAR));
            for (String category : categories) {
                c.zSetCommands().zRevRangeWithScores(bytes(RedisKeys.trending(category)), 0, n - 1L);
                c.zSetCommands().zRevRangeWithScores(bytes(RedisKeys.popular(category)), 0, n - 1L);
            }
            return null;
        });
        ForwardDecay trending = decay(r.get(0));
        ForwardDecay popular = decay(r.get(1));
        long now = System.currentTimeMillis();
        Map<String, List<Map<String, Double>>> out = new LinkedHashMap<>();
        for (int i = 0; i < categories.size(); i++) {
            out.put(categories.get(i), List.of(tuples(r.get(2 + 2 * i), trending, now),
                    tuples(r.get(3 + 2 * i), popular, now)));
        }
        return out;
    }

    private static Map<String, Double> tuples(Object result, ForwardDecay decay, long now) {
        if (!(result instanceof Collection<?> tuples) || tuples.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Map<String, Double> out = new LinkedHashMap<>((int) Math.ceil(tuples.size() / 0.75)); // never grows
        for (Object t : tuples) {
            var tuple = (org.springframework.data.redis.core.ZSetOperations.TypedTuple<?>) t;
            out.put(string((byte[]) tuple.getValue()),
                    decay == null ? tuple.getScore() : decay.decayed(tuple.getScore(), now));
        }
        return out;
    }

    /** An item of a per-category list, with the category it was listed under and its decayed score. */
    public record CategoryItem(String itemId, String category, double score) {
    }

    /**
     * The {@code n} most popular items of each of the categories, merged and most popular first (ties in the given
     * category order); one round trip.
     */
    public List<CategoryItem> popularIn(List<String> categories, int n) {
        if (categories.isEmpty()) {
            return List.of();
        }
        List<Object> r = pipelined(c -> {
            c.hashCommands().hGet(bytes(RedisKeys.DECAY_LANDMARKS), bytes(RedisKeys.DECAY_POPULAR));
            for (String category : categories) {
                c.zSetCommands().zRevRangeWithScores(bytes(RedisKeys.popular(category)), 0, n - 1L);
            }
            return null;
        });
        ForwardDecay decay = decay(r.get(0));
        long now = System.currentTimeMillis();
        List<CategoryItem> out = new ArrayList<>();
        for (int i = 0; i < categories.size(); i++) {
            String category = categories.get(i);
            tuples(r.get(1 + i), decay, now).forEach((id, score) -> out.add(new CategoryItem(id, category, score)));
        }
        out.sort(java.util.Comparator.comparingDouble(CategoryItem::score).reversed());
        return out;
    }

    private Map<String, Double> ranked(String key, String family, int n) {
        List<Object> r = pipelined(c -> {
            c.hashCommands().hGet(bytes(RedisKeys.DECAY_LANDMARKS), bytes(family));
            c.zSetCommands().zRevRangeWithScores(bytes(key), 0, n - 1L);
            return null;
        });
        return tuples(r.get(1), decay(r.get(0)), System.currentTimeMillis());
    }

    private static ForwardDecay decay(Object landmark) {
        return landmark == null ? null : ForwardDecay.parse(string((byte[]) landmark));
    }

    private static double number(byte[] b) {
        return b == null ? 0.0 : Double.parseDouble(string(b));
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }


}
