package dev.marquee.ingest.features;

import dev.marquee.common.Topics;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.RedisKeys;
import io.lettuce.core.Range;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Limit;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Turns impressions whose label window has passed (in the event time of their partition) without engagement into
 * negative examples. Runs on the consumer thread between batches, so it never races with {@link LabelJoiner} for a
 * user; it rewrites only the pending field of the users it resolves.
 */
final class LabelFlusher {
    private static final int USERS_PER_ROUND = 200;

    private final ConsumerRedis redis;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final long windowMillis;

    LabelFlusher(ConsumerRedis redis, KafkaTemplate<String, String> kafka, JsonMapper json, long windowMillis) {
        this.redis = redis;
        this.kafka = kafka;
        this.json = json;
        this.windowMillis = windowMillis;
    }

    /**
     * Resolves what is due on each partition by its latest event time, in rounds, until nothing is due or
     * {@code budgetNanos} is spent (the rest waits for the next flush); returns the number of negatives sent.
     */
    int flush(Map<Integer, Long> eventTimes, long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        int sent = 0;
        for (var entry : eventTimes.entrySet()) {
            int[] round;
            do {
                round = flush(entry.getKey(), entry.getValue());
                sent += round[1];
            } while (round[0] == USERS_PER_ROUND && System.nanoTime() < deadline);
        }
        return sent;
    }

    /** One round: returns {users handled, negatives sent}. */
    private int[] flush(int partition, long eventTime) {
        byte[] dueKey = bytes(RedisKeys.labelsDue(partition));
        List<String> users = new ArrayList<>();
        ConsumerRedis.Round due = redis.round();
        due.read(due.redis().zrangebyscore(dueKey, Range.create(Double.NEGATIVE_INFINITY, (double) eventTime),
                Limit.create(0, USERS_PER_ROUND)), r -> r.forEach(u -> users.add(str(u))));
        due.run();
        if (users.isEmpty()) {
            return new int[] {0, 0};
        }
        Map<String, String> fields = new LinkedHashMap<>();
        ConsumerRedis.Round read = redis.round();
        byte[] field = bytes(RedisKeys.USER_PENDING);
        for (String u : users) {
            read.read(read.redis().hmget(bytes(RedisKeys.user(u)), field),
                    (List<KeyValue<byte[], byte[]>> r) -> fields.put(u, str(r.get(0).getValueOrElse(null))));
        }
        read.run();

        List<LabelledExample> negatives = new ArrayList<>();
        ConsumerRedis.Round write = redis.round();
        write.write(write.redis().multi());
        for (String u : users) {
            String value = fields.get(u);
            long nextDue = Long.MAX_VALUE;
            if (value != null) {
                Map<String, String> pending = UserState.decodePending(value);
                var it = pending.entrySet().iterator();
                while (it.hasNext()) {
                    var e = it.next();
                    LabelJoiner.Pending p = LabelJoiner.Pending.parse(e.getValue());
                    if (p.shownMillis() + windowMillis <= eventTime) {
                        negatives.add(LabelJoiner.example(u, e.getKey(), p, 0, null, Instant.ofEpochMilli(eventTime)));
                        it.remove();
                    } else {
                        nextDue = Math.min(nextDue, p.shownMillis() + windowMillis);
                    }
                }
                // the user hash exists (the field was read): rewrite only the pending field
                write.write(write.redis().hset(bytes(RedisKeys.user(u)), field,
                        bytes(UserState.encodePending(pending))));
            }
            if (nextDue == Long.MAX_VALUE) {
                write.write(write.redis().zrem(dueKey, bytes(u)));
            } else {
                write.write(write.redis().zadd(dueKey, (double) nextDue, bytes(u)));
            }
        }
        write.write(write.redis().exec());
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (LabelledExample x : negatives) {
            sends.add(kafka.send(Topics.EXAMPLES, x.userId(), json.writeValueAsString(x)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join(); // sent before the pending go
        write.run();
        return new int[] {users.size(), negatives.size()};
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
