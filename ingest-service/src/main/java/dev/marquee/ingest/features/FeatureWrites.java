package dev.marquee.ingest.features;

import static dev.marquee.common.redis.FeatureStore.bytes;
import static dev.marquee.ingest.features.RespWrites.number;

import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A batch's changes as Redis write transactions, to be sent in this order: one per {@link WriteGroup}, so that other
 * clients' commands (this consumer's next reads among them) are served between groups instead of waiting for the whole
 * batch. A group holds a set of users with everything their events change (their state, item counters and sorted-set
 * increments, due labels, the event ids marked seen) and is atomic; groups share nothing a replay could get wrong:
 * after a failure, events of groups that were applied are skipped as seen, the others applied. A batch that moves a
 * decay landmark is written in one transaction (the rescale must land with every increment computed against it).
 */
final class FeatureWrites {
    /** Capped sorted sets are trimmed in one of this many batches that touch them. */
    static final int TRIM_EVERY = 8;
    private static final byte[] PX = RespWrites.ascii("PX");
    private final FeatureProperties props;
    private final SeenEvents seenEvents;
    private long batches;

    FeatureWrites(FeatureProperties props, SeenEvents seenEvents) {
        this.props = props;
        this.seenEvents = seenEvents;
    }

    /** The transactions that write {@code b} (none when it applied nothing); called once per batch, in order. */
    List<RespWrites> of(Batch b, long now) {
        if (b.applied.isEmpty()) {
            return List.of();
        }
        byte[] userTtl = RespWrites.ascii(Long.toString(RedisKeys.USER_TTL.toMillis()));
        RespWrites first = new RespWrites();
        b.rescaleFactors.forEach((family, factor) -> {
            Set<String> categories = new LinkedHashSet<>(b.knownCategories);
            categories.addAll(b.newCategories);
            List<String> familyKeys = new ArrayList<>();
            boolean pop = family.equals(RedisKeys.DECAY_POPULAR);
            familyKeys.add(pop ? RedisKeys.POPULAR : RedisKeys.TRENDING_UNCATEGORIZED);
            categories.forEach(cat -> familyKeys.add(pop ? RedisKeys.popular(cat) : RedisKeys.trending(cat)));
            for (String key : familyKeys) {
                byte[] k = bytes(key);
                first.call("ZUNIONSTORE", k, number(1), k, bytes("WEIGHTS"), number(factor));
            }
        });
        b.rescaled.forEach((family, d) ->
                first.call("HSET", bytes(RedisKeys.DECAY_LANDMARKS), bytes(family), bytes(d.format())));
        if (!b.newCategories.isEmpty()) {
            first.calls("SADD", bytes(RedisKeys.CATEGORIES), 1,
                    b.newCategories.stream().map(FeatureStore::bytes).toList());
        }
        boolean oneCall = !b.rescaled.isEmpty();
        Map<WriteGroup, RespWrites> writesOf = new LinkedHashMap<>();
        for (WriteGroup g : b.groups) {
            writesOf.put(g, writesOf.isEmpty() || oneCall ? first : new RespWrites());
        }
        for (String u : b.touchedUsers) {
            RespWrites w = writesOf.get(b.groupOfUser.get(u));
            w.call("SET", bytes(RedisKeys.user(u)), b.states.get(u).toBytes(), PX, userTtl);
        }
        byte[] impressionCounts = bytes(RedisKeys.ITEM_IMPRESSIONS);
        byte[] clickCounts = bytes(RedisKeys.ITEM_CLICKS);
        long batchNumber = batches++;
        writesOf.forEach((g, w) -> {
            g.impressions.forEach((item, n) -> w.call("HINCRBY", impressionCounts, bytes(item), number(n)));
            g.clicks.forEach((item, n) -> w.call("HINCRBY", clickCounts, bytes(item), number(n)));
            g.increments.forEach((setKey, members) -> sortedSet(w, "ZINCRBY", setKey.redisKey(), members,
                    setKey.family().cap(props), batchNumber));
            g.history.forEach((u, items) -> {
                sortedSet(w, "ZADD", RedisKeys.history(u), items, props.historyCap(), batchNumber);
                w.call("PEXPIRE", bytes(RedisKeys.history(u)), userTtl);
            });
            // retrieval computes these users' ANN lists again, off the request path
            w.callInChunks("SADD", bytes(RedisKeys.ANN_DUE),
                    g.tasteChanged.stream().map(FeatureStore::bytes).toList());
            seenEvents.remember(w, g.applied, b.shardOf, now);
        });
        b.labels.write(user -> writesOf.get(b.groupOfUser.get(user)));
        return List.copyOf(new LinkedHashSet<>(writesOf.values()));
    }

    /**
     * {@code command} ({@code ZINCRBY}, {@code ZADD}) with each member and its number, then the trim to {@code cap}.
     * Trimming is O(log n) per key and per batch: each key is trimmed in one batch out of {@link #TRIM_EVERY} in which
     * it changes, so it may exceed its cap by what ~TRIM_EVERY batches add to it, never more.
     */
    private static void sortedSet(RespWrites w, String command, String key, Map<String, ? extends Number> members,
                                  int cap, long batchNumber) {
        byte[] k = bytes(key);
        List<byte[]> pairs = new ArrayList<>(members.size() * 2);
        members.forEach((m, n) -> {
            pairs.add(number(n.doubleValue()));
            pairs.add(bytes(m));
        });
        w.calls(command, k, 2, pairs);
        if (Math.floorMod(key.hashCode() + batchNumber, TRIM_EVERY) == 0) {
            w.call("ZREMRANGEBYRANK", k, number(0), number(-(cap + 1L)));
        }
    }
}
