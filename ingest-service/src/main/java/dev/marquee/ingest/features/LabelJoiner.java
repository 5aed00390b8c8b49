package dev.marquee.ingest.features;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.RedisKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
 * impressions live in the user's state ({@link RedisKeys#user}, {@code UserState#pending}), and each partition keeps
 * one due time per user with pending impressions ({@link RedisKeys#labelsDue}), so the join survives restarts and costs
 * no key of its own. A click, add-to-cart or purchase of a shown item within the window emits a positive example at
 * once; {@link LabelFlusher} turns impressions whose window passed into negatives. Event time decides, so replays and
 * imports label the same way as live traffic.
 *
 * <p>An engagement may reach the stream before the impression it answers: the gateway batches its impressions for
 * up to its producer's {@code linger.ms}, while a client sends its click as soon as it has the list. An engagement
 * that names its request ({@code context.requestId}) and finds no pending impression of the item therefore waits in
 * the same place ({@link Early}) for up to {@code impressionWait} of event time; the impression of that request, when
 * it comes, is then a positive example at once instead of a pending one that would have become a false negative.
 */
final class LabelJoiner {
    /** A user keeps at most this many pending impressions; older ones give way (counted, never labelled). */
    static final int MAX_PENDING_PER_USER = 100;

    /** What waits in a user's pending map for an item: an impression or an engagement that came first. */
    sealed interface Awaiting permits Pending, Early {
        /** Event time by which this is resolved: a pending impression becomes a negative, an early engagement goes. */
        long dueMillis(long windowMillis, long impressionWaitMillis);

        String format();
    }

    /** Reads a pending map value written by {@link Awaiting#format()}. */
    static Awaiting parse(String s) {
        return !s.isEmpty() && s.charAt(0) == Early.MARK ? Early.parse(s) : Pending.parse(s);
    }

    /** A shown item awaiting its outcome. */
    record Pending(String requestId, Integer position, String variant, long shownMillis) implements Awaiting {
        @Override
        public long dueMillis(long windowMillis, long impressionWaitMillis) {
            return shownMillis + windowMillis;
        }

        @Override
        public String format() {
            return requestId + "|" + (position == null ? "" : position) + "|" + (variant == null ? "" : variant) + "|"
                    + shownMillis;
        }

        static Pending parse(String s) {
            String[] p = s.split("\\|", -1);
            return new Pending(p[0], p[1].isEmpty() ? null : Integer.valueOf(p[1]), p[2].isEmpty() ? null : p[2],
                    Long.parseLong(p[3]));
        }
    }

    /**
     * An engagement with an item of request {@code requestId} that came before that request's impression of it. Its
     * stored form starts with {@link #MARK}, which no request id does ({@link dev.marquee.common.Ids#PATTERN}).
     */
    record Early(String requestId, EventType outcome, long atMillis) implements Awaiting {
        static final char MARK = '!';

        @Override
        public long dueMillis(long windowMillis, long impressionWaitMillis) {
            return atMillis + impressionWaitMillis;
        }

        @Override
        public String format() {
            return MARK + requestId + "|" + outcome.wireName() + "|" + atMillis;
        }

        static Early parse(String s) {
            String[] p = s.substring(1).split("\\|", -1);
            return new Early(p[0], EventType.fromWire(p[1]), Long.parseLong(p[2]));
        }
    }

    private final long windowMillis;
    private final long impressionWaitMillis;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    /** partition -> user -> due time of an impression added in this batch (the earliest stays: ZADD NX). */
    private final Map<Integer, Map<String, Long>> dueAdds = new HashMap<>();
    private final List<LabelledExample> examples = new ArrayList<>();
    private int displaced;
    private int earlyJoined;

    /**
     * @param impressionWaitMillis how long (event time) an engagement that came before its impression waits for it;
     *                             0: not at all (the engagement is not joined)
     */
    LabelJoiner(long windowMillis, long impressionWaitMillis, KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.windowMillis = windowMillis;
        this.impressionWaitMillis = impressionWaitMillis;
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
        String before = user.pending().get(e.itemId());
        if (before != null && parse(before) instanceof Early early && early.requestId().equals(p.requestId())
                && early.atMillis() - p.shownMillis() <= windowMillis) {
            // the engagement with this very showing came first: the request id decides, not the two clocks
            user.pending().remove(e.itemId());
            examples.add(example(e.userId(), e.itemId(), p, 1, early.outcome(),
                    Instant.ofEpochMilli(early.atMillis())));
            earlyJoined++;
            return;
        }
        await(partition, e.userId(), e.itemId(), p, user.pending()); // the latest showing is the one a click answers
    }

    /**
     * An engagement joins the pending impression of its item; one that names another request than that impression's
     * (the item was shown again, and that showing's impression has not come yet), or finds none, waits for the
     * impression of the request it names ({@link Early}) when it names one: the earlier showing gives way, as it does
     * to a later impression of the item.
     */
    void engagement(int partition, InteractionEvent e, UserState user) {
        String record = user.pending().get(e.itemId());
        Awaiting awaiting = record == null ? null : parse(record);
        if (awaiting instanceof Early) {
            return; // an earlier engagement with the item waits for the impression already
        }
        long at = e.timestamp().toEpochMilli();
        String requestId = e.context() == null ? null : e.context().requestId();
        if (awaiting instanceof Pending p && (requestId == null || requestId.equals(p.requestId()))) {
            if (at >= p.shownMillis() && at - p.shownMillis() <= windowMillis) {
                examples.add(example(e.userId(), e.itemId(), p, 1, e.type(), e.timestamp()));
                user.pending().remove(e.itemId());
            }
            return;
        }
        if (requestId != null && impressionWaitMillis > 0) {
            await(partition, e.userId(), e.itemId(), new Early(requestId, e.type(), at), user.pending());
        }
    }

    /**
     * Puts {@code a} in the user's pending map in place of what waited for the item, as the newest entry (the oldest
     * give way past the cap), with its due time.
     */
    private void await(int partition, String userId, String itemId, Awaiting a, Map<String, String> pending) {
        pending.remove(itemId);
        pending.put(itemId, a.format());
        while (pending.size() > MAX_PENDING_PER_USER) {
            pending.remove(pending.keySet().iterator().next());
            displaced++;
        }
        dueAdds.computeIfAbsent(partition, x -> new LinkedHashMap<>())
                .merge(userId, a.dueMillis(windowMillis, impressionWaitMillis), Math::min);
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

    /** The examples this batch found so far. */
    List<LabelledExample> examples() {
        return Collections.unmodifiableList(examples);
    }

    /** Positive examples of this batch whose engagement had come before the impression. */
    int earlyJoined() {
        return earlyJoined;
    }

    /** Impressions (and early engagements) dropped because their user had too many pending. */
    int displaced() {
        return displaced;
    }

    /** Queues the due times of users with new pending impressions, each with its user's writes. */
    void write(Function<String, RespWrites> writesOfUser) {
        byte[] nx = bytes("NX");
        dueAdds.forEach((partition, users) -> {
            byte[] key = bytes(RedisKeys.labelsDue(partition));
            Map<RespWrites, List<byte[]>> groups = new LinkedHashMap<>();
            users.forEach((user, due) -> {
                List<byte[]> args = groups.computeIfAbsent(writesOfUser.apply(user), w -> new ArrayList<>());
                args.add(RespWrites.number((double) due));
                args.add(bytes(user));
            });
            // ZADD NX keeps the earliest due time of a user already waiting
            groups.forEach((writes, args) -> {
                for (int from = 0; from < args.size(); from += RespWrites.MAX_ARGS - 2) {
                    List<byte[]> chunk = new ArrayList<>();
                    chunk.add(nx);
                    chunk.addAll(args.subList(from, Math.min(args.size(), from + RespWrites.MAX_ARGS - 2)));
                    writes.calls("ZADD", key, chunk.size(), chunk);
                }
            });
        });
    }
}
