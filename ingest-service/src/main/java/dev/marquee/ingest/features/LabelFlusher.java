package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.RedisKeys;
import io.lettuce.core.Range;
import io.lettuce.core.Limit;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import dev.marquee.ingest.config.FeatureProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Turns impressions whose label window has passed (in the event time of their partition) without engagement into
 * negative examples, on a thread of its own: every {@code label-flush-interval} it runs rounds until nothing is due
 * or half an interval is spent, so a backlog (after an import or a catch-up every pending impression is due at once)
 * is drained beside the stream consumer instead of holding fresh events up. It works only on users the consumer does
 * not hold ({@link UserClaims}), rewrites their states (only what is pending changes) and their entries in the due
 * sets, and its writes go in the consumer's transaction order ({@link ConsumerRedis#transactions}), each after Kafka
 * took its negatives.
 */
@Component
class LabelFlusher implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(LabelFlusher.class);
    /** Due users taken from each partition per round. */
    private static final int USERS_PER_ROUND = 100;

    private final ConsumerRedis redis;
    private final FeatureUpdater updater;
    private final UserClaims claims;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final long windowMillis;
    private final long impressionWaitMillis;
    private final long intervalMillis;
    private final Counter negatives;
    private final Timer flushTime;
    /** Held while a round runs: partitions are given up only between rounds. */
    private final ReentrantLock roundLock = new ReentrantLock();
    private ScheduledExecutorService thread;
    private boolean failing;

    LabelFlusher(ConsumerRedis redis, FeatureUpdater updater, UserClaims claims, KafkaTemplate<String, String> kafka,
                 JsonMapper json, FeatureProperties props, MeterRegistry meters) {
        this.redis = redis;
        this.updater = updater;
        this.claims = claims;
        this.kafka = kafka;
        this.json = json;
        this.windowMillis = props.labelWindow().toMillis();
        this.impressionWaitMillis = props.labelImpressionWait().toMillis();
        this.intervalMillis = props.labelFlushInterval().toMillis();
        this.negatives = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "sent");
        this.flushTime = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "flush");
    }

    @Override
    public synchronized void start() {
        if (thread == null) {
            thread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "marquee-label-flush");
                t.setDaemon(true);
                return t;
            });
            thread.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (thread != null) {
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return thread != null;
    }

    /** Waits for the round in progress, if any (partitions are being revoked: the next round will not see them). */
    void awaitRound() {
        roundLock.lock();
        roundLock.unlock();
    }

    /** One flush: rounds until nothing is due or half an interval is spent. Redis or Kafka away: retried next tick. */
    private void tick() {
        long start = System.nanoTime();
        try {
            negatives.increment(flush(TimeUnit.MILLISECONDS.toNanos(intervalMillis) / 2));
            if (failing) {
                log.info("label flush works again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) { // once per outage, not every interval
                log.warn("label flush failed, retried every {} ms: {}", intervalMillis,
                        NestedExceptionUtils.getMostSpecificCause(e).toString());
                failing = true;
            }
        } finally {
            flushTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Resolves what is due on each partition by its latest event time, in rounds, until nothing is due or
     * {@code budgetNanos} is spent (the rest waits for the next flush; at least one round runs); returns the number
     * of negatives sent.
     */
    private int flush(long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        int sent = 0;
        Outcome round;
        do {
            roundLock.lock();
            try {
                round = round(Map.copyOf(updater.eventTimes()));
            } finally {
                roundLock.unlock();
            }
            sent += round.negatives();
        } while (round.more() && System.nanoTime() < deadline);
        return sent;
    }

    /** What a round did: negatives sent, and whether a partition had more users due than it took. */
    private record Outcome(int negatives, boolean more) {
    }

    /**
     * One round over every partition at once: up to {@link #USERS_PER_ROUND} due users of each, in three round trips
     * to Redis and one wait for Kafka whatever the number of partitions; the users are held ({@link UserClaims}) from
     * before their pending impressions are read until the round's writes are done (the consumer waits for a round
     * that holds a user it needs, so a round is kept short).
     */
    private Outcome round(Map<Integer, Long> eventTimes) {
        if (eventTimes.isEmpty()) {
            return new Outcome(0, false);
        }
        Map<Integer, List<String>> due = new TreeMap<>();
        ConsumerRedis.Round find = redis.flusherRound();
        eventTimes.forEach((partition, eventTime) -> {
            List<String> users = new ArrayList<>();
            due.put(partition, users);
            find.read(find.redis().zrangebyscore(bytes(RedisKeys.labelsDue(partition)),
                    Range.create(Double.NEGATIVE_INFINITY, (double) eventTime), Limit.create(0, USERS_PER_ROUND)),
                    r -> r.forEach(u -> users.add(str(u))));
        });
        find.run();
        // more may be due where a partition filled its page (the users the consumer holds stay due for a later round)
        boolean more = due.values().stream().anyMatch(users -> users.size() == USERS_PER_ROUND);
        List<String> taken = new ArrayList<>();
        due.replaceAll((partition, users) -> {
            List<String> mine = claims.flusherTakes(users);
            taken.addAll(mine);
            return mine;
        });
        if (taken.isEmpty()) {
            return new Outcome(0, false);
        }
        try {
            return resolve(eventTimes, due, more);
        } finally {
            claims.flusherReleases(taken);
        }
    }

    /** Reads the taken users' states, sends the negatives, then writes the states with what is left pending. */
    private Outcome resolve(Map<Integer, Long> eventTimes, Map<Integer, List<String>> due, boolean more) {
        Map<Integer, Map<String, UserState>> states = new TreeMap<>();
        ConsumerRedis.Round read = redis.flusherRound();
        due.forEach((partition, users) -> {
            Map<String, UserState> stateOf = new LinkedHashMap<>();
            states.put(partition, stateOf);
            read.values(users, u -> bytes(RedisKeys.user(u)), r -> r == null ? null : UserState.fromBytes(r),
                    stateOf::put);
        });
        read.run();

        List<LabelledExample> negatives = new ArrayList<>();
        // the writes are sent only once Kafka took the negatives: if the sends fail, the pending impressions stay
        RespWrites writes = new RespWrites();
        byte[] keepTtl = RespWrites.ascii("KEEPTTL");
        states.forEach((partition, stateOf) -> {
            long eventTime = eventTimes.get(partition);
            byte[] dueKey = bytes(RedisKeys.labelsDue(partition));
            stateOf.forEach((u, state) -> {
                long nextDue = Long.MAX_VALUE;
                if (state != null) { // else the user expired: nothing pending is left
                    nextDue = resolveUser(u, state.pending(), eventTime, negatives);
                    // the flusher holds the user (UserClaims): the state read is the latest; its expiry stays
                    writes.call("SET", bytes(RedisKeys.user(u)), state.toBytes(), keepTtl);
                }
                if (nextDue == Long.MAX_VALUE) {
                    writes.call("ZREM", dueKey, bytes(u));
                } else {
                    writes.call("ZADD", dueKey, RespWrites.number((double) nextDue), bytes(u));
                }
            });
        });
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (LabelledExample x : negatives) {
            sends.add(kafka.send(Topics.EXAMPLES, x.userId(), json.writeValueAsString(x)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join(); // sent before the pending go
        redis.transactions(List.of(writes)).join(); // one MULTI/EXEC, in order with the batches' transactions
        return new Outcome(negatives.size(), more);
    }

    /**
     * Removes the user's impressions whose window ended by {@code eventTime} from {@code pending}, adding each as a
     * negative example, and the engagements that waited for their impression in vain ({@link LabelJoiner.Early});
     * returns when the next of those left is due ({@link Long#MAX_VALUE}: none left).
     */
    private long resolveUser(String user, Map<String, String> pending, long eventTime, List<LabelledExample> negatives) {
        long nextDue = Long.MAX_VALUE;
        var it = pending.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            LabelJoiner.Awaiting a = LabelJoiner.parse(e.getValue());
            long due = a.dueMillis(windowMillis, impressionWaitMillis);
            if (due <= eventTime) {
                if (a instanceof LabelJoiner.Pending p) {
                    negatives.add(LabelJoiner.example(user, e.getKey(), p, 0, null, Instant.ofEpochMilli(eventTime)));
                }
                it.remove();
            } else {
                nextDue = Math.min(nextDue, due);
            }
        }
        return nextDue;
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
