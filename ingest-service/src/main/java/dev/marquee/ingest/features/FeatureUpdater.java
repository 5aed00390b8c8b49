package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.ForwardDecay;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import dev.marquee.common.feature.Vectors;
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
    private final Counter applied;
    private final Counter duplicates;
    private final Counter examples;
    private final Counter displaced;
    /** Positive examples whose engagement reached the stream before its impression ({@link LabelJoiner.Early}). */
    private final Counter earlyJoined;
    private final Timer freshness;
    private final Timer phaseRead;
    private final Timer phaseCompute;
    private final Timer phaseWrite;
    /** Waiting for the writes of the batch before the previous one before reading this one. */
    private final Timer phaseWait;
    /** Waiting for a label flush round that holds one of the batch's users (part of the read stage). */
    private final Timer phaseHeld;
    private static final byte[] PX = ConsumerRedis.Writes.ascii("PX");
    /** Capped sorted sets are trimmed in one of this many batches that touch them. */
    static final int TRIM_EVERY = 8;
    private long batches;
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
        this.applied = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "applied");
        this.duplicates = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "duplicate");
        this.examples = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "sent");
        this.displaced = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "displaced");
        this.earlyJoined = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "engagement_first");
        this.phaseRead = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "read");
        this.phaseCompute = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "compute");
        this.phaseWrite = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "write");
        this.phaseWait = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "wait");
        this.phaseHeld = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "held");
        // percentiles over the last 20-30 s (three rotating 10 s buffers): what the stream is like now
        this.freshness = Timer.builder(Metrics.FEATURE_FRESHNESS).publishPercentileHistogram()
                .publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1))
                .register(meters);
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
        List<ConsumerRedis.Writes> transactions = b.transactions(now);
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
            long t3 = System.nanoTime();
            phaseWait.record(t0 - tw, java.util.concurrent.TimeUnit.NANOSECONDS);
            phaseRead.record(t1 - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
            phaseCompute.record(t2 - t1, java.util.concurrent.TimeUnit.NANOSECONDS);
            phaseWrite.record(t3 - t2, java.util.concurrent.TimeUnit.NANOSECONDS);
            long written = System.currentTimeMillis();
            for (StreamEvent se : batch) {
                long lag = written - se.event().timestamp().toEpochMilli();
                if (lag >= 0 && lag < Duration.ofHours(1).toMillis()) { // live events only: imports would swamp it
                    freshness.record(lag, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }
            applied.increment(fresh);
            duplicates.increment(batch.size() - fresh);
            examples.increment(b.labels.examples().size());
            displaced.increment(b.labels.displaced());
            earlyJoined.increment(b.labels.earlyJoined());
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
        Batch b = new Batch(batch);
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
        phaseHeld.record(() -> claims.consumerTakes(users)); // waits if a label flush round is rewriting one of them
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
            // these reads may have run before the previous batch's writes: what those change, take from memory
            previous.touchedUsers.forEach(u -> {
                if (b.states.containsKey(u)) {
                    b.states.put(u, previous.states.get(u));
                }
            });
            for (long h : hashes) {
                if (previous.applied.contains(h)) {
                    b.seenBefore.add(h);
                }
            }
            b.landmarks.put(RedisKeys.DECAY_POPULAR, previous.popular);
            b.landmarks.put(RedisKeys.DECAY_TRENDING, previous.trending);
            b.knownCategories.addAll(previous.knownCategories);
            b.knownCategories.addAll(previous.newCategories);
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

    /** One batch: the state it read, the changes it computes, and the transaction that writes them. */
    private final class Batch {
        final List<StreamEvent> events;
        /** The events' id hashes, in event order. */
        final List<Long> hashes = new ArrayList<>();
        /** The seen-event shard of each hash (its user's). */
        final Map<Long, Integer> shardOf = new HashMap<>();
        /** The batch's users, in order of first event. */
        final Set<String> users = new LinkedHashSet<>();
        final Set<Long> seenBefore = new HashSet<>();
        final Map<String, ForwardDecay> landmarks = new HashMap<>();
        final Set<String> knownCategories = new HashSet<>();
        final Map<String, UserState> states = new HashMap<>();
        final Map<String, FeatureStore.ItemTaste> items = new HashMap<>();
        final LabelJoiner labels = new LabelJoiner(props.labelWindow().toMillis(),
                props.labelImpressionWait().toMillis(), kafka, json);

        /** Hashes of the events this batch applies (each once; the part of each event lists it for its write). */
        final Set<Long> applied = new HashSet<>();
        final Set<String> touchedUsers = new LinkedHashSet<>();
        /** The batch's users in groups, each written by its own transaction (see {@link Part}). */
        final List<Part> parts = new ArrayList<>();
        final Map<String, Part> partOfUser = new HashMap<>();
        /** The part of the event being applied. */
        Part part;
        final Set<String> newCategories = new LinkedHashSet<>();
        final Map<String, ForwardDecay> rescaled = new LinkedHashMap<>();
        ForwardDecay popular;
        ForwardDecay trending;

        Batch(List<StreamEvent> events) {
            this.events = events;
        }

        int compute() {
            long latest = Long.MIN_VALUE;
            for (StreamEvent se : events) {
                latest = Math.max(latest, se.event().timestamp().toEpochMilli());
            }
            popular = landmark(RedisKeys.DECAY_POPULAR, props.popularHalfLife(), latest);
            trending = landmark(RedisKeys.DECAY_TRENDING, props.trendingHalfLife(), latest);
            for (int i = 0; i < events.size(); i++) {
                StreamEvent se = events.get(i);
                long h = hashes.get(i);
                if (seenBefore.contains(h) || !applied.add(h)) {
                    continue;
                }
                part = partOf(se.event().userId());
                part.applied.add(h);
                apply(se);
                eventTime.merge(se.partition(), se.event().timestamp().toEpochMilli(), Math::max);
            }
            return applied.size();
        }

        private Part partOf(String user) {
            Part p = partOfUser.get(user);
            if (p == null) {
                p = parts.isEmpty() ? null : parts.get(parts.size() - 1);
                if (p == null || p.users == props.writeGroupUsers()) {
                    p = new Part();
                    parts.add(p);
                }
                p.users++;
                partOfUser.put(user, p);
            }
            return p;
        }

        private ForwardDecay landmark(String family, Duration halfLife, long latest) {
            ForwardDecay d = landmarks.get(family);
            if (d == null || d.halfLifeMillis() != halfLife.toMillis()) {
                d = ForwardDecay.startingAt(latest, halfLife.toMillis());
                rescaled.put(family, d); // a new family (or a new half-life): nothing to rescale, store it
                return d;
            }
            if (d.needsRescale(latest)) {
                ForwardDecay moved = d.movedTo(latest);
                rescaled.put(family, moved);
                rescaleFactors.put(family, d.rescaleFactor(moved));
                return moved;
            }
            return d;
        }

        final Map<String, Double> rescaleFactors = new HashMap<>();

        private void apply(StreamEvent se) {
            InteractionEvent e = se.event();
            long t = e.timestamp().toEpochMilli();
            UserState user = states.get(e.userId());
            if (e.type() == EventType.IMPRESSION) {
                part.impressions.merge(e.itemId(), 1L, Long::sum);
                if (LabelJoiner.joins(e)) {
                    labels.impression(se.partition(), e, user);
                    touchedUsers.add(e.userId());
                }
                return;
            }
            touchedUsers.add(e.userId());
            long previous = user.lastMillis();
            long elapsed = user.advanceTo(t);
            double w = e.weight();
            FeatureStore.ItemTaste item = items.get(e.itemId());
            String category = item == null ? null : item.category();
            if (item != null && item.vector() != null) {
                user.addTaste(props.tasteDecay() * UserState.decay(elapsed, props.tasteHalfLife().toMillis()),
                        item.vector(), w);
                part.tasteChanged.add(e.userId());
            }
            if (category != null) {
                user.addCategory(UserState.decay(elapsed, props.categoryHalfLife().toMillis()), category, w,
                        props.categoryCap());
            }
            List<String> previousItems = user.recent();
            for (int g = 0; g < Math.min(props.transitionWindow(), previousItems.size()); g++) {
                String from = previousItems.get(g);
                if (!from.equals(e.itemId())) {
                    increment(SetFamily.TRANSITIONS, from, e.itemId(), props.transitionWindow() - g);
                }
            }
            // the recent items are the whole history until there are more events than they hold; from then on the
            // history key keeps them all (those in the recent list when it starts included)
            List<String> startsWith = user.count() == props.recentCap() ? List.copyOf(user.recent()) : null;
            user.addRecent(e.itemId(), props.recentCap());
            user.countEvent();
            if (user.count() > props.recentCap()) {
                Map<String, Long> history = part.history.computeIfAbsent(e.userId(), u -> new LinkedHashMap<>());
                if (startsWith != null) {
                    for (int i = startsWith.size() - 1; i >= 0; i--) {
                        history.putIfAbsent(startsWith.get(i), t - 1 - i);
                    }
                }
                history.put(e.itemId(), t);
            }
            List<String> before = user.enterSession(e.sessionId(), t, previous, props.sessionGap().toMillis());
            if (w > 0) {
                for (String other : before.subList(0, Math.min(props.coVisitWindow(), before.size()))) {
                    if (!other.equals(e.itemId())) {
                        increment(SetFamily.CO_VISITS, other, e.itemId(), 1.0);
                        increment(SetFamily.CO_VISITS, e.itemId(), other, 1.0);
                    }
                }
                user.addSessionItem(e.itemId(), props.sessionCap());
                double pop = popular.increment(t, w);
                double trend = trending.increment(t, w);
                increment(SetFamily.POPULAR, "", e.itemId(), pop);
                if (category != null) {
                    increment(SetFamily.POPULAR_IN, category, e.itemId(), pop);
                    increment(SetFamily.TRENDING_IN, category, e.itemId(), trend);
                    if (!knownCategories.contains(category)) {
                        newCategories.add(category);
                    }
                } else {
                    // trending overall is the categories' sets and this one merged when read (RedisKeys)
                    increment(SetFamily.TRENDING_UNCATEGORIZED, "", e.itemId(), trend);
                }
            }
            if (e.type() == EventType.CLICK) {
                part.clicks.merge(e.itemId(), 1L, Long::sum);
            }
            if (e.type().isEngagement()) {
                labels.engagement(se.partition(), e, user);
            }
        }

        private void increment(SetFamily family, String of, String member, double by) {
            part.increments.computeIfAbsent(new SetKey(family, of), k -> new LinkedHashMap<>())
                    .merge(member, by, Double::sum);
        }

        /**
         * The batch's writes, to be sent in this order: one transaction per part, so that other clients' commands
         * (this consumer's next reads among them) are served between parts instead of waiting for the whole batch.
         * A part holds a group of users with everything their events change (their state, item counters and
         * sorted-set increments, due labels, the event ids marked seen) and is atomic; parts share nothing a replay
         * could get wrong: after a failure, events of parts that were applied are skipped as seen, the others
         * applied. A batch that moves a decay landmark is written in one transaction (the rescale must land with
         * every increment computed against it).
         */
        List<ConsumerRedis.Writes> transactions(long now) {
            if (applied.isEmpty()) {
                return List.of();
            }
            byte[] userTtl = ConsumerRedis.Writes.ascii(Long.toString(RedisKeys.USER_TTL.toMillis()));
            ConsumerRedis.Writes first = new ConsumerRedis.Writes();
            rescaleFactors.forEach((family, factor) -> {
                Set<String> keys = new LinkedHashSet<>(knownCategories);
                keys.addAll(newCategories);
                List<String> familyKeys = new ArrayList<>();
                boolean pop = family.equals(RedisKeys.DECAY_POPULAR);
                familyKeys.add(pop ? RedisKeys.POPULAR : RedisKeys.TRENDING_UNCATEGORIZED);
                keys.forEach(cat -> familyKeys.add(pop ? RedisKeys.popular(cat) : RedisKeys.trending(cat)));
                for (String key : familyKeys) {
                    byte[] k = bytes(key);
                    first.call("ZUNIONSTORE", k, number(1), k, bytes("WEIGHTS"), number(factor));
                }
            });
            rescaled.forEach((family, d) ->
                    first.call("HSET", bytes(RedisKeys.DECAY_LANDMARKS), bytes(family), bytes(d.format())));
            if (!newCategories.isEmpty()) {
                first.calls("SADD", bytes(RedisKeys.CATEGORIES), 1,
                        newCategories.stream().map(FeatureStore::bytes).toList());
            }
            boolean oneCall = !rescaled.isEmpty();
            Map<Part, ConsumerRedis.Writes> writesOf = new LinkedHashMap<>();
            for (Part p : parts) {
                writesOf.put(p, writesOf.isEmpty() || oneCall ? first : new ConsumerRedis.Writes());
            }
            for (String u : touchedUsers) {
                ConsumerRedis.Writes w = writesOf.get(partOfUser.get(u));
                w.call("SET", bytes(RedisKeys.user(u)), states.get(u).toBytes(), PX, userTtl);
            }
            byte[] impressionCounts = bytes(RedisKeys.ITEM_IMPRESSIONS);
            byte[] clickCounts = bytes(RedisKeys.ITEM_CLICKS);
            long batchNumber = batches++;
            writesOf.forEach((p, w) -> {
                p.impressions.forEach((item, n) -> w.call("HINCRBY", impressionCounts, bytes(item), number(n)));
                p.clicks.forEach((item, n) -> w.call("HINCRBY", clickCounts, bytes(item), number(n)));
                p.increments.forEach((setKey, members) ->
                        sortedSet(w, "ZINCRBY", setKey.key(), members, cap(setKey.family()), batchNumber));
                p.history.forEach((u, items) -> {
                    sortedSet(w, "ZADD", RedisKeys.history(u), items, props.historyCap(), batchNumber);
                    w.call("PEXPIRE", bytes(RedisKeys.history(u)), userTtl);
                });
                // retrieval computes these users' ANN lists again, off the request path
                w.callInChunks("SADD", bytes(RedisKeys.ANN_DUE),
                        p.tasteChanged.stream().map(FeatureStore::bytes).toList());
                seenEvents.remember(w, p.applied, shardOf, now);
            });
            labels.write(user -> writesOf.get(partOfUser.get(user)));
            return List.copyOf(new LinkedHashSet<>(writesOf.values()));
        }
    }

    /**
     * {@code command} ({@code ZINCRBY}, {@code ZADD}) with each member and its number, then the trim to {@code cap}.
     * Trimming is O(log n) per key and per batch: each key is trimmed in one batch out of {@link #TRIM_EVERY} in which
     * it changes, so it may exceed its cap by what ~TRIM_EVERY batches add to it, never more.
     */
    private static void sortedSet(ConsumerRedis.Writes w, String command, String key,
                                  Map<String, ? extends Number> members, int cap, long batchNumber) {
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

    /** A group of the batch's users and what their events change; written by one transaction. */
    private static final class Part {
        int users;
        final List<Long> applied = new ArrayList<>();
        final Map<String, Long> impressions = new HashMap<>();
        final Map<String, Long> clicks = new HashMap<>();
        /** sorted set -> member -> increment (popularity, trending, co-visitation, transitions). */
        final Map<SetKey, Map<String, Double>> increments = new LinkedHashMap<>();
        /** user -> item -> time of the user's latest interaction with it (their history). */
        final Map<String, Map<String, Long>> history = new LinkedHashMap<>();
        /** Users whose taste vector an event of this part moved. */
        final Set<String> tasteChanged = new LinkedHashSet<>();
    }

    /** The capped sorted sets events increment. */
    private enum SetFamily {
        POPULAR, TRENDING_UNCATEGORIZED, POPULAR_IN, TRENDING_IN, CO_VISITS, TRANSITIONS
    }

    /**
     * A sorted set an event increments: its family and what it is of (category, item; empty for the global ones). Its
     * Redis key is built once per batch, at write time, not once per event: hashing a record of a cached enum hash
     * and an id string that has its hash already is cheaper than concatenating and hashing a new key string.
     */
    private record SetKey(SetFamily family, String of) {
        String key() {
            return switch (family) {
                case POPULAR -> RedisKeys.POPULAR;
                case TRENDING_UNCATEGORIZED -> RedisKeys.TRENDING_UNCATEGORIZED;
                case POPULAR_IN -> RedisKeys.popular(of);
                case TRENDING_IN -> RedisKeys.trending(of);
                case CO_VISITS -> RedisKeys.coVisits(of);
                case TRANSITIONS -> RedisKeys.transitions(of);
            };
        }
    }

    private int cap(SetFamily family) {
        return switch (family) {
            case POPULAR, POPULAR_IN -> props.popularCap();
            case TRENDING_UNCATEGORIZED, TRENDING_IN -> props.trendingCap();
            case CO_VISITS -> props.coVisitCap();
            case TRANSITIONS -> props.transitionCap();
        };
    }

    /**
     * A number as Redis reads it: whole numbers (co-visitation counts, due times) as integers, others as Lettuce sends
     * them ({@link Double#toString}, several times slower).
     */
    static byte[] number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return number((long) d);
        }
        return ConsumerRedis.Writes.ascii(Double.toString(d));
    }

    static byte[] number(long n) {
        return ConsumerRedis.Writes.ascii(Long.toString(n));
    }

    private static String str(byte[] raw) {
        return raw == null ? null : new String(raw, StandardCharsets.UTF_8);
    }
}
