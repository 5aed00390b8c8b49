package dev.marquee.ingest.features;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.RedisKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Joins impressions with the engagement that follows them into labelled examples, inside one consumer batch. Pending
 * impressions live in the user's state ({@link RedisKeys#user}, {@code UserState#pending}), and each partition keeps one
 * due time per user with pending impressions ({@link RedisKeys#labelsDue}), so the join survives restarts and costs
 * no key of its own. A click, add-to-cart or purchase of a shown item within the window emits a positive example at
 * once; {@link LabelFlusher} turns impressions whose window passed into negatives. Event time decides, so replays and
 * imports label the same way as live traffic.
 */
final class LabelJoiner {
    /** A user keeps at most this many pending impressions; older ones give way (counted, never labelled). */
    static final int MAX_PENDING_PER_USER = 100;

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

    private final long windowMillis;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    /** partition -> user -> due time of an impression added in this batch (the earliest stays: ZADD NX). */
    private final Map<Integer, Map<String, Long>> dueAdds = new HashMap<>();
    private final List<LabelledExample> examples = new ArrayList<>();
    private int displaced;

    LabelJoiner(long windowMillis, KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.windowMillis = windowMillis;
        this.kafka = kafka;
        this.json = json;
    }

    /** Whether this impression takes part in the join (it names the request that showed the item). */
    static boolean joins(InteractionEvent e) {
        return e.type() == EventType.IMPRESSION && e.context() != null && e.context().requestId() != null;
    }

    void impression(int partition, InteractionEvent e, UserState user) {
        Pending p = new Pending(e.context().requestId(), e.context().position(), e.context().variant(),
                e.timestamp().toEpochMilli());
        Map<String, String> pending = user.pending();
        pending.remove(e.itemId()); // the latest showing of an item is the one a click answers
        pending.put(e.itemId(), p.format());
        while (pending.size() > MAX_PENDING_PER_USER) {
            pending.remove(pending.keySet().iterator().next());
            displaced++;
        }
        dueAdds.computeIfAbsent(partition, x -> new LinkedHashMap<>())
                .merge(e.userId(), p.shownMillis() + windowMillis, Math::min);
    }

    void engagement(InteractionEvent e, UserState user) {
        String record = user.pending().get(e.itemId());
        if (record == null) {
            return;
        }
        Pending p = Pending.parse(record);
        long at = e.timestamp().toEpochMilli();
        if (at < p.shownMillis() || at - p.shownMillis() > windowMillis) {
            return;
        }
        examples.add(example(e.userId(), e.itemId(), p, 1, e.type(), e.timestamp()));
        user.pending().remove(e.itemId());
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

    /** Impressions dropped because their user had too many pending. */
    int displaced() {
        return displaced;
    }

    /** Queues the due times of users with new pending impressions, each with its user's writes. */
    void write(Function<String, ConsumerRedis.Writes> writesOfUser) {
        byte[] nx = bytes("NX");
        dueAdds.forEach((partition, users) -> {
            byte[] key = bytes(RedisKeys.labelsDue(partition));
            Map<ConsumerRedis.Writes, List<byte[]>> groups = new LinkedHashMap<>();
            users.forEach((user, due) -> {
                List<byte[]> args = groups.computeIfAbsent(writesOfUser.apply(user), w -> new ArrayList<>());
                args.add(FeatureUpdater.number((double) due));
                args.add(bytes(user));
            });
            // ZADD NX keeps the earliest due time of a user already waiting
            groups.forEach((writes, args) -> {
                for (int from = 0; from < args.size(); from += ConsumerRedis.Writes.MAX_ARGS - 2) {
                    List<byte[]> chunk = new ArrayList<>();
                    chunk.add(nx);
                    chunk.addAll(args.subList(from, Math.min(args.size(), from + ConsumerRedis.Writes.MAX_ARGS - 2)));
                    writes.calls("ZADD", key, chunk.size(), chunk);
                }
            });
        });
    }
}
