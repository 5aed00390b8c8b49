package dev.marquee.ingest.features;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.ForwardDecay;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Applies a batch of events to the Redis feature store: one pipelined read of everything the batch needs (which event
 * ids were seen, the users' states with their pending impressions, the items' categories and vectors, decay
 * landmarks), then the writes as one atomic {@code MULTI}/{@code EXEC} transaction per group of users ({@link Part}),
 * the event ids marked seen included. Every event's effects land together with its id, so redelivery after a crash
 * and re-published events change nothing. Events of one user are on one partition (keyed by user id), hence handled
 * by one consumer thread in order. The writes are not waited for: the caller polls, reads and computes the next batch
 * meanwhile. A batch's writes are sent only once the previous batch's succeeded (never if they failed), and a batch's
 * reads only once the writes of the batch before the previous one are applied: at most one batch is written but not
 * known to be applied when reads are sent, and what it changes comes from memory ({@link #lastSent}).
 *
 * <p>The parts: {@link Batch} (a batch's state and the changes it computes), {@link EventEffects} (the feature maths,
 * pure), {@link FeatureWrites} (the changes as transactions), {@link ConsumerRedis} (the connections),
 * {@link BatchMetrics}.
 */
@Component
public class FeatureUpdater {
    /** An event with where it came from. */
    public record StreamEvent(int partition, long offset, InteractionEvent event) {
    }

    private final ConsumerRedis consumerRedis;
    private final UserClaims claims;
    private final FeatureProperties props;
    private final SeenEvents seenEvents;
    private final ItemCache itemCache;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final EventEffects effects;
    private final FeatureWrites writes;
    private final BatchMetrics metrics;
    /**
     * Per partition, the latest event time applied: impressions due before it become negatives. Written by the
     * consumer thread, read by the label flusher's.
     */
    private final Map<Integer, Long> eventTime = new ConcurrentHashMap<>();
    /**
     * The last batch whose writes were handed over (sent, or to be sent once those before them succeeded). Reads go
     * on their own connection and may run before those writes, so what the batch changed that a later batch reads
     * (its users' state, its event ids, decay landmarks, categories) is taken from here instead. A batch that applies
     * nothing leaves it as it was: the one before may still be in flight.
     */
    private Batch lastSent;
    /**
     * Completes once the writes of the last batch handed over are applied (exceptionally if they, or any before them,
     * failed): the next batch's writes are sent after it, so a batch computed on top of writes that failed is never
     * written.
     */
    private CompletableFuture<Void> lastWrites = CompletableFuture.completedFuture(null);
    /**
     * Completing it sends the writes of the last large batch, not sent yet (see
     * {@link FeatureProperties#deferWritesFrom()}); it completes by itself after
     * {@link FeatureProperties#deferWritesAtMost()}.
     */
    private final AtomicReference<CompletableFuture<Void>> deferred = new AtomicReference<>();

    FeatureUpdater(ConsumerRedis consumerRedis, UserClaims claims, FeatureProperties props,
                   KafkaTemplate<String, String> kafka, JsonMapper json, MeterRegistry meters) {
        this.consumerRedis = consumerRedis;
        this.claims = claims;
        this.props = props;
        this.seenEvents = new SeenEvents(props);
        this.itemCache = new ItemCache(props.itemCacheTtl().toNanos(), props.itemCacheSize());
        this.kafka = kafka;
        this.json = json;
        this.effects = new EventEffects(props);
        this.writes = new FeatureWrites(props, seenEvents);
        this.metrics = new BatchMetrics(meters);
    }

    /** Applies the events (in order), waits for the writes (and those before them) and returns how many were new. */
    public int apply(List<StreamEvent> batch) {
        CompletableFuture<Integer> written = apply(batch, () -> { });
        sendDeferred();
        return written.join();
    }

    /**
     * Applies the events (in order) without waiting for the writes: runs {@code beforeRead} (the caller waits there for
     * the writes of the batch before the previous one, and refuses to go on if they failed: this batch would be
     * computed on top of them), reads what the batch needs (while the previous batch's writes may still be running:
     * what those change comes from memory, see {@link #lastSent}), computes, sends the batch's labelled examples and
     * waits for Kafka to take them, builds the writes and hands them over: they are sent once the previous batch's
     * writes succeeded; those of a large batch ({@link FeatureProperties#deferWritesFrom()}, a backlog) also only once
     * the next batch's reads are answered, so that Redis answers those first and applies the writes while this thread
     * computes (or by {@link #sendDeferred()}, at the latest after {@link FeatureProperties#deferWritesAtMost()}). The
     * previous batch's writes are not waited for: this thread polls, parses and reads the next batch while Redis
     * applies them. The result completes with the number of new events once Redis applied the writes (and those of
     * every batch before), exceptionally if it did not.
     */
    public CompletableFuture<Integer> apply(List<StreamEvent> batch, Runnable beforeRead) {
        if (batch.isEmpty()) {
            sendDeferred();
            beforeRead.run();
            return lastWrites.thenApply(ignored -> 0); // done once the writes before it are: as every batch's result
        }
        long now = System.currentTimeMillis();
        long tw = System.nanoTime();
        beforeRead.run();
        long t0 = System.nanoTime();
        Batch b = read(batch, now);
        long t1 = System.nanoTime();
        int fresh = b.compute();
        List<CompletableFuture<?>> sends = b.labels.send();
        // built while Kafka takes the examples and Redis may still apply the previous batch's writes: nothing is sent
        // before both are done
        List<RespWrites> transactions = writes.of(b, now);
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        long t2 = System.nanoTime();
        CompletableFuture<Void> previous = lastWrites;
        CompletableFuture<Void> sent;
        if (transactions.isEmpty()) {
            sent = previous;
        } else if (props.deferWritesFrom() > 0 && batch.size() >= props.deferWritesFrom()) {
            CompletableFuture<Void> trigger = new CompletableFuture<Void>().completeOnTimeout(null,
                    props.deferWritesAtMost().toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            sent = trigger.thenCompose(ignored -> previous)
                    .thenCompose(ignored -> consumerRedis.transactions(transactions));
            deferred.set(trigger); // the previous one was sent by this batch's read
        } else {
            sent = previous.thenCompose(ignored -> consumerRedis.transactions(transactions));
        }
        lastWrites = sent;
        if (!b.applied.isEmpty()) {
            lastSent = b;
        }
        return sent.thenApply(ignored -> {
            metrics.written(batch, b, fresh, tw, t0, t1, t2);
            return fresh;
        });
    }

    /**
     * Sends the deferred writes of the last batch, if they were not sent yet (by the next batch's read, their timeout,
     * or a caller that waits for them: the listener when idle or losing partitions).
     */
    void sendDeferred() {
        CompletableFuture<Void> trigger = deferred.getAndSet(null);
        if (trigger != null) {
            trigger.complete(null);
        }
    }

    /** Latest event time applied per partition (for {@link LabelFlusher}; a live view). */
    Map<Integer, Long> eventTimes() {
        return eventTime;
    }

    /** The partitions went to another consumer: their due labels are no longer flushed here. */
    void forgetPartitions(Collection<Integer> partitions) {
        eventTime.keySet().removeAll(partitions);
    }

    private Batch read(List<StreamEvent> batch, long now) {
        Batch b = new Batch(batch, props, effects, new LabelJoiner(props.labelWindow().toMillis(),
                props.labelImpressionWait().toMillis(), kafka, json), eventTime);
        Set<String> users = b.users;
        Set<String> items = new LinkedHashSet<>();
        List<Long> hashes = b.hashes;
        for (StreamEvent se : batch) {
            InteractionEvent e = se.event();
            long h = SeenEvents.hash(e.eventId());
            hashes.add(h);
            b.shardOf.put(h, seenEvents.shard(e.userId()));
            users.add(e.userId());
            if (e.type() != EventType.IMPRESSION) {
                items.add(e.itemId());
            }
        }
        // the users of the batch before the previous one are written (the caller waited): the label flusher may have
        // them; those of the previous batch stay held until a later read finds its writes applied
        Batch previous = lastSent;
        claims.consumerKeepsOnly(previous == null ? Set.of() : previous.users);
        metrics.phaseHeld.record(() -> claims.consumerTakes(users)); // waits if a label flush round is rewriting one of them
        byte[] category = bytes(RedisKeys.ITEM_CATEGORY);
        byte[] vector = bytes(RedisKeys.ITEM_VECTOR);
        ConsumerRedis.Round round = consumerRedis.round();
        var redis = round.redis();
        seenEvents.check(round, hashes, b.shardOf, now, b.seenBefore);
        round.read(redis.hgetall(bytes(RedisKeys.DECAY_LANDMARKS)),
                r -> r.forEach((k, v) -> b.landmarks.put(str(k), ForwardDecay.parse(str(v)))));
        round.read(redis.smembers(bytes(RedisKeys.CATEGORIES)), r -> r.forEach(m -> b.knownCategories.add(str(m))));
        round.values(List.copyOf(users), u -> bytes(RedisKeys.user(u)), UserState::fromBytes, b.states::put);
        long readAt = System.nanoTime();
        for (String i : items) {
            FeatureStore.ItemTaste cached = itemCache.get(i, readAt);
            if (cached != null) {
                b.items.put(i, cached);
                continue;
            }
            round.read(redis.hmget(bytes(RedisKeys.item(i)), category, vector), r -> {
                var taste = new FeatureStore.ItemTaste(str(r.get(0).getValueOrElse(null)),
                        Vectors.fromBytes(r.get(1).getValueOrElse(null)));
                b.items.put(i, taste);
                itemCache.put(i, taste, readAt);
            });
        }
        round.run();
        // the previous batch's deferred writes go once these reads are answered: sent with the reads, Redis ran them
        // while it still wrote the replies out (64 KB per event-loop turn), and the reads waited for the transaction
        sendDeferred();
        if (previous != null) {
            b.overlay(previous); // these reads may have run before the previous batch's writes
        }
        return b;
    }

    /**
     * Forgets the last batch sent: the next reads take everything from Redis, and the label flusher may take its
     * users. Called once its writes are known to be done (the consumer is idle), after a failure, and when partitions
     * are revoked.
     */
    void forgetLastSent() {
        lastSent = null;
        lastWrites = CompletableFuture.completedFuture(null);
        claims.consumerReleasesAll();
        seenEvents.forgetExpiries(); // writes that set them may have failed
    }

    private static String str(byte[] raw) {
        return raw == null ? null : new String(raw, StandardCharsets.UTF_8);
    }
}
