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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Turns impressions whose label window has passed (in the event time of their partition) without engagement into
 * negative examples. Runs on the consumer thread while no batch's writes are in flight, and leaves the users of the
 * batch about to be written alone, so it never races with {@link LabelJoiner} for a user; it rewrites only the pending
 * field of the users it resolves and their entries in the due sets.
 */
final class LabelFlusher {
    /** Due users taken from each partition per round. */
    private static final int USERS_PER_ROUND = 100;

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
     * {@code budgetNanos} is spent (the rest waits for the next flush; at least one round runs); returns the number
     * of negatives sent. The users in {@code skip} are left as they are (the caller is about to write their state).
     */
    int flush(Map<Integer, Long> eventTimes, long budgetNanos, Set<String> skip) {
        long deadline = System.nanoTime() + budgetNanos;
        int sent = 0;
        Outcome round;
        do {
            round = round(eventTimes, skip);
            sent += round.negatives();
        } while (round.more() && System.nanoTime() < deadline);
        return sent;
    }

    /** What a round did: negatives sent, and whether a partition had more users due than it took. */
    private record Outcome(int negatives, boolean more) {
    }

    /**
     * One round over every partition at once: up to {@link #USERS_PER_ROUND} due users of each, in three round trips
     * to Redis and one wait for Kafka whatever the number of partitions (a round is the smallest step of a flush, so
     * its latency is what a flush adds to fresh events at least).
     */
    private Outcome round(Map<Integer, Long> eventTimes, Set<String> skip) {
        Map<Integer, List<String>> due = new TreeMap<>();
        ConsumerRedis.Round find = redis.round();
        eventTimes.forEach((partition, eventTime) -> {
            List<String> users = new ArrayList<>();
            due.put(partition, users);
            find.read(find.redis().zrangebyscore(bytes(RedisKeys.labelsDue(partition)),
                    Range.create(Double.NEGATIVE_INFINITY, (double) eventTime), Limit.create(0, USERS_PER_ROUND)),
                    r -> r.forEach(u -> users.add(str(u))));
        });
        find.run();
        // more are due where a partition filled its page with users it could resolve (skipped ones stay due)
        boolean more = due.values().stream().anyMatch(users -> users.size() == USERS_PER_ROUND
                && users.stream().anyMatch(u -> !skip.contains(u)));
        due.values().forEach(users -> users.removeIf(skip::contains));
        if (due.values().stream().allMatch(List::isEmpty)) {
            return new Outcome(0, false);
        }
        Map<Integer, Map<String, String>> fields = new TreeMap<>();
        ConsumerRedis.Round read = redis.round();
        byte[] field = bytes(RedisKeys.USER_PENDING);
        due.forEach((partition, users) -> {
            Map<String, String> pendingOf = new LinkedHashMap<>();
            fields.put(partition, pendingOf);
            for (String u : users) {
                read.read(read.redis().hmget(bytes(RedisKeys.user(u)), field),
                        (List<KeyValue<byte[], byte[]>> r) -> pendingOf.put(u, str(r.get(0).getValueOrElse(null))));
            }
        });
        read.run();

        List<LabelledExample> negatives = new ArrayList<>();
        // the writes are sent only once Kafka took the negatives: if the sends fail, the pending impressions stay
        ConsumerRedis.Writes writes = new ConsumerRedis.Writes();
        fields.forEach((partition, pendingOf) -> {
            long eventTime = eventTimes.get(partition);
            byte[] dueKey = bytes(RedisKeys.labelsDue(partition));
            pendingOf.forEach((u, value) -> {
                long nextDue = Long.MAX_VALUE;
                if (value != null) {
                    Map<String, String> pending = UserState.decodePending(value);
                    nextDue = resolve(u, pending, eventTime, negatives);
                    // the user hash exists (the field was read): rewrite only the pending field
                    writes.call("HSET", bytes(RedisKeys.user(u)), field, bytes(UserState.encodePending(pending)));
                }
                if (nextDue == Long.MAX_VALUE) {
                    writes.call("ZREM", dueKey, bytes(u));
                } else {
                    writes.call("ZADD", dueKey, FeatureUpdater.number((double) nextDue), bytes(u));
                }
            });
        });
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (LabelledExample x : negatives) {
            sends.add(kafka.send(Topics.EXAMPLES, x.userId(), json.writeValueAsString(x)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join(); // sent before the pending go
        redis.transactions(List.of(writes)).join(); // one MULTI/EXEC, on the batches' write connection
        return new Outcome(negatives.size(), more);
    }

    /**
     * Removes the user's impressions whose window ended by {@code eventTime} from {@code pending}, adding each as a
     * negative example; returns when the next of those left is due ({@link Long#MAX_VALUE}: none left).
     */
    private long resolve(String user, Map<String, String> pending, long eventTime, List<LabelledExample> negatives) {
        long nextDue = Long.MAX_VALUE;
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            LabelJoiner.Pending p = LabelJoiner.Pending.parse(e.getValue());
            if (p.shownMillis() + windowMillis <= eventTime) {
                negatives.add(LabelJoiner.example(user, e.getKey(), p, 0, null, Instant.ofEpochMilli(eventTime)));
                it.remove();
            } else {
                nextDue = Math.min(nextDue, p.shownMillis() + windowMillis);
            }
        }
        return nextDue;
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
