package dev.marquee.ingest.features;

import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Which event ids were applied already: 64-bit hashes of event ids in Redis integer sets, sharded by user and rotated
 * per period ({@link RedisKeys#seenEvents}). An id is checked against the current and the previous period and added
 * to the current one in the same transaction as the features it changed, so a replay or a re-published event changes
 * nothing while it is remembered (one to two periods), at about 8 bytes per event.
 *
 * <p>The shard is the user's, not the event id's: events come keyed by user, so the events of one user in a batch
 * (the ten impressions of one served list, typically) cost one check per period and one write, not one per event
 * (docs/benchmarks.md, "2026-12-03 (2)"). An event id is thus remembered within its user's events: the same id
 * under another user is another event.
 */
final class SeenEvents {
    private final long periodMillis;
    private final int shards;
    /** Keys of the current generation whose expiry is set (once per key is enough). */
    private final Set<String> expiring = new java.util.HashSet<>();
    private long expiringGeneration = Long.MIN_VALUE;

    SeenEvents(FeatureProperties props) {
        this(props.dedupPeriod(), props.dedupShards());
    }

    SeenEvents(java.time.Duration period, int shards) {
        this.periodMillis = period.toMillis();
        this.shards = shards;
    }

    /**
     * 64-bit hash of an event id (two independent 32-bit hashes: collisions ~ n^2 / 2^65): {@link String#hashCode}
     * and FNV-1a over the UTF-8 bytes, read from the characters themselves while they are ASCII (event ids are).
     */
    static long hash(String eventId) {
        int fnv = 0x811c9dc5;
        for (int i = 0; i < eventId.length(); i++) {
            char c = eventId.charAt(i);
            if (c >= 0x80) {
                return hashUtf8(eventId);
            }
            fnv ^= c;
            fnv *= 0x01000193;
        }
        return ((long) eventId.hashCode() << 32) | (fnv & 0xffffffffL);
    }

    private static long hashUtf8(String eventId) {
        int fnv = 0x811c9dc5;
        for (byte x : eventId.getBytes(StandardCharsets.UTF_8)) {
            fnv ^= x & 0xff;
            fnv *= 0x01000193;
        }
        return ((long) eventId.hashCode() << 32) | (fnv & 0xffffffffL);
    }

    /**
     * The shard of a user's event ids: {@link String#hashCode} through MurmurHash3's finalizer, whose every output bit
     * depends on every input bit (ids that differ in their last characters land in unrelated shards).
     */
    int shard(String userId) {
        int h = userId.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, shards);
    }

    /**
     * Queues the membership checks of {@code hashes} (each in the shard {@code shardOf} gives); {@code seen} receives
     * the ones found when the round ran.
     */
    void check(ConsumerRedis.Round round, List<Long> hashes, Map<Long, Integer> shardOf, long nowMillis,
            Set<Long> seen) {
        long generation = Math.floorDiv(nowMillis, periodMillis);
        byShard(hashes, shardOf).forEach((shard, asked) -> {
            byte[][] members = members(asked);
            for (long g : new long[] {generation, generation - 1}) {
                round.read(round.redis().smismember(bytes(RedisKeys.seenEvents(g, shard)), members), found -> {
                    for (int i = 0; i < asked.size(); i++) {
                        if (Boolean.TRUE.equals(found.get(i))) {
                            seen.add(asked.get(i));
                        }
                    }
                });
            }
        });
    }

    /** Sets the expiry of every key again at its next write (the writes that set them may not have landed). */
    void forgetExpiries() {
        expiring.clear();
    }

    /** Queues the writes that remember {@code hashes} as applied (with the features' writes). */
    void remember(RespWrites writes, List<Long> hashes, Map<Long, Integer> shardOf, long nowMillis) {
        long generation = Math.floorDiv(nowMillis, periodMillis);
        long ttlMillis = (generation + 2) * periodMillis - nowMillis + 60_000; // checked until generation + 1 ends
        if (generation != expiringGeneration) {
            expiring.clear();
            expiringGeneration = generation;
        }
        byShard(hashes, shardOf).forEach((shard, list) -> {
            String name = RedisKeys.seenEvents(generation, shard);
            byte[] key = bytes(name);
            writes.callInChunks("SADD", key, java.util.Arrays.asList(members(list)));
            if (expiring.add(name)) {
                writes.call("PEXPIRE", key, bytes(Long.toString(ttlMillis)));
            }
        });
    }

    private static Map<Integer, List<Long>> byShard(List<Long> hashes, Map<Long, Integer> shardOf) {
        Map<Integer, List<Long>> out = new HashMap<>();
        for (Long h : hashes) {
            out.computeIfAbsent(shardOf.get(h), s -> new ArrayList<>()).add(h);
        }
        return out;
    }

    private static byte[][] members(List<Long> hashes) {
        byte[][] out = new byte[hashes.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes(Long.toString(hashes.get(i)));
        }
        return out;
    }
}
