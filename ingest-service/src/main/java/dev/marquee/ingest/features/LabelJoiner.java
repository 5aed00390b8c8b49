package dev.marquee.ingest.features;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.redis.RedisKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Joins impressions with the engagement that follows them into labelled examples, inside one consumer batch. Pending
 * impressions live in Redis ({@link RedisKeys#pendingImpressions} per user, {@link RedisKeys#labelsDue} per
 * partition) so that the join survives restarts; a click, add-to-cart or purchase of a shown item within the window
 * emits a positive example at once, and {@link LabelFlusher} turns impressions whose window passed into negatives.
 * Event time decides (replays and imports label the same way as live traffic).
 */
final class LabelJoiner {
    /** A shown item awaiting its outcome. */
    record Pending(String requestId, Integer position, String variant, long shownMillis) {
        String format() {
            return requestId + "|" + (position == null ? "" : position) + "|" + (variant == null ? "" : variant) + "|"
                    + shownMillis;
        }

        static Pending parse(String s) {
            String[] p = s.split("\\|", -1);
            return new Pending(p[0], p[1].isEmpty() ? null : Integer.valueOf(p[1]), p[2].isEmpty() ? null : p[2],
                    Long.parseLong(p[3]));
        }
    }

    static String dueMember(String userId, String itemId, String requestId) {
        return userId + "|" + itemId + "|" + requestId;
    }

    private final long windowMillis;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    /** user -> item -> pending impression, as read at the start of the batch and changed by it. */
    private final Map<String, Map<String, Pending>> pending = new HashMap<>();
    private final Map<String, Map<String, Pending>> puts = new LinkedHashMap<>();
    private final Map<String, List<String>> deletes = new LinkedHashMap<>();
    private final Map<Integer, Map<String, Double>> dueAdds = new HashMap<>();
    private final Map<Integer, List<String>> dueRemoves = new HashMap<>();
    private final List<LabelledExample> examples = new ArrayList<>();

    LabelJoiner(long windowMillis, KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.windowMillis = windowMillis;
        this.kafka = kafka;
        this.json = json;
    }

    /** Whether this event takes part in the join (its user's pending impressions must be read). */
    static boolean joins(InteractionEvent e) {
        return (e.type() == EventType.IMPRESSION && e.context() != null && e.context().requestId() != null)
                || e.type().isEngagement();
    }

    /** The user's pending impressions as read from Redis (raw hash, may be empty). */
    void loaded(String userId, Map<?, ?> hash) {
        Map<String, Pending> items = new HashMap<>();
        if (hash != null) {
            hash.forEach((k, v) -> items.put(new String((byte[]) k), Pending.parse(new String((byte[]) v))));
        }
        pending.put(userId, items);
    }

    void impression(int partition, InteractionEvent e) {
        Pending p = new Pending(e.context().requestId(), e.context().position(), e.context().variant(),
                e.timestamp().toEpochMilli());
        pending.get(e.userId()).put(e.itemId(), p);
        puts.computeIfAbsent(e.userId(), u -> new LinkedHashMap<>()).put(e.itemId(), p);
        dueAdds.computeIfAbsent(partition, x -> new LinkedHashMap<>())
                .put(dueMember(e.userId(), e.itemId(), p.requestId()), (double) (p.shownMillis() + windowMillis));
    }

    void engagement(int partition, InteractionEvent e) {
        Pending p = pending.get(e.userId()).get(e.itemId());
        long at = e.timestamp().toEpochMilli();
        if (p == null || at < p.shownMillis() || at - p.shownMillis() > windowMillis) {
            return;
        }
        examples.add(example(e.userId(), e.itemId(), p, 1, e.type(), e.timestamp()));
        pending.get(e.userId()).remove(e.itemId());
        Map<String, Pending> userPuts = puts.get(e.userId());
        if (userPuts != null) {
            userPuts.remove(e.itemId());
        }
        deletes.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e.itemId());
        String member = dueMember(e.userId(), e.itemId(), p.requestId());
        Map<String, Double> adds = dueAdds.get(partition);
        if (adds == null || adds.remove(member) == null) {
            dueRemoves.computeIfAbsent(partition, x -> new ArrayList<>()).add(member);
        }
    }

    static LabelledExample example(String userId, String itemId, Pending p, int label, EventType outcome,
                                   Instant labelledAt) {
        return new LabelledExample(LabelledExample.id(p.requestId(), itemId), userId, itemId, p.requestId(),
                p.position(), p.variant(), Instant.ofEpochMilli(p.shownMillis()), label, outcome, labelledAt);
    }

    /** Sends the examples found in this batch; the caller waits for them before committing the batch's writes. */
    List<CompletableFuture<?>> send() {
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (LabelledExample x : examples) {
            sends.add(kafka.send(Topics.EXAMPLES, x.userId(), json.writeValueAsString(x)));
        }
        return sends;
    }

    int examples() {
        return examples.size();
    }

    /** Queues this batch's changes to the pending impressions (inside the features transaction). */
    void write(ConsumerRedis.Round round) {
        var redis = round.redis();
        long ttl = 2 * windowMillis;
        puts.forEach((user, items) -> {
            if (!items.isEmpty()) {
                Map<byte[], byte[]> fields = new LinkedHashMap<>();
                items.forEach((item, p) -> fields.put(bytes(item), bytes(p.format())));
                round.write(redis.hset(bytes(RedisKeys.pendingImpressions(user)), fields));
            }
        });
        deletes.forEach((user, items) -> round.write(redis.hdel(bytes(RedisKeys.pendingImpressions(user)),
                items.stream().map(i -> bytes(i)).toArray(byte[][]::new))));
        puts.keySet().forEach(user -> round.write(redis.pexpire(bytes(RedisKeys.pendingImpressions(user)), ttl)));
        dueAdds.forEach((partition, members) -> members.forEach((m, due) ->
                round.write(redis.zadd(bytes(RedisKeys.labelsDue(partition)), due, bytes(m)))));
        dueRemoves.forEach((partition, members) -> round.write(redis.zrem(bytes(RedisKeys.labelsDue(partition)),
                members.stream().map(m -> bytes(m)).toArray(byte[][]::new))));
    }
}
