package dev.marquee.ingest.features;

import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.data.redis.connection.RedisConnection;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Which event ids were applied already: 64-bit hashes of event ids in Redis integer sets, sharded and rotated per
 * period ({@link RedisKeys#seenEvents}). An id is checked against the current and the previous period and added to
 * the current one in the same transaction as the features it changed, so a replay or a re-published event changes
 * nothing while it is remembered (one to two periods), at about 8 bytes per event.
 */
final class SeenEvents {
    private final long periodMillis;
    private final int shards;

    SeenEvents(FeatureProperties props) {
        this.periodMillis = props.dedupPeriod().toMillis();
        this.shards = props.dedupShards();
    }

    /** 64-bit hash of an event id (two independent 32-bit hashes: collisions ~ n^2 / 2^65). */
    static long hash(String eventId) {
        int fnv = 0x811c9dc5;
        for (byte x : eventId.getBytes(StandardCharsets.UTF_8)) {
            fnv ^= x & 0xff;
            fnv *= 0x01000193;
        }
        return ((long) eventId.hashCode() << 32) | (fnv & 0xffffffffL);
    }

    /**
     * Queues the membership checks of {@code hashes} on the pipelined connection; {@code seen} receives the hashes
     * found once the pipeline's results are handed to the returned handlers (one per queued command, in order).
     */
    List<Consumer<Object>> check(RedisConnection c, List<Long> hashes, long nowMillis, java.util.Set<Long> seen) {
        Map<Integer, List<Long>> byShard = byShard(hashes);
        long generation = Math.floorDiv(nowMillis, periodMillis);
        List<Consumer<Object>> handlers = new ArrayList<>();
        for (var entry : byShard.entrySet()) {
            byte[][] members = members(entry.getValue());
            for (long g : new long[] {generation, generation - 1}) {
                c.setCommands().sMIsMember(bytes(RedisKeys.seenEvents(g, entry.getKey())), members);
                List<Long> asked = entry.getValue();
                handlers.add(result -> {
                    List<?> found = (List<?>) result;
                    for (int i = 0; i < asked.size(); i++) {
                        if (Boolean.TRUE.equals(found.get(i))) {
                            seen.add(asked.get(i));
                        }
                    }
                });
            }
        }
        return handlers;
    }

    /** Queues the writes that remember {@code hashes} as applied (inside the features transaction). */
    void remember(RedisConnection c, List<Long> hashes, long nowMillis) {
        long generation = Math.floorDiv(nowMillis, periodMillis);
        long ttlMillis = (generation + 2) * periodMillis - nowMillis + 60_000; // checked until generation + 1 ends
        byShard(hashes).forEach((shard, list) -> {
            byte[] key = bytes(RedisKeys.seenEvents(generation, shard));
            c.setCommands().sAdd(key, members(list));
            c.keyCommands().pExpire(key, ttlMillis);
        });
    }

    private Map<Integer, List<Long>> byShard(List<Long> hashes) {
        Map<Integer, List<Long>> out = new HashMap<>();
        for (long h : hashes) {
            out.computeIfAbsent((int) Math.floorMod(h, (long) shards), s -> new ArrayList<>()).add(h);
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
