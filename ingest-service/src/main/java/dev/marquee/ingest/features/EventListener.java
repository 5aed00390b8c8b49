package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.event.EventCheck;
import dev.marquee.common.event.EventTimeWindow;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.ingest.config.FeatureProperties;
import dev.marquee.ingest.config.IngestProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.listener.ConsumerSeekAware;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.redis.ReplayMarks;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.support.Acknowledgment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stream consumer: reads the events topic in batches and hands them to {@link FeatureUpdater}. A record that cannot
 * be parsed, breaks the event schema or lies outside the {@link EventTimeWindow} goes to the dead-letter topic with the
 * reason, and the batch goes on; so does one the feature maths fail on, again and again for the same reason, once its
 * batch is applied one event at a time ({@link FeatureProperties#poisonAttempts()}). No record wedges the stream.
 * Impressions past their label window become negative examples on the label flusher's own thread
 * ({@link LabelFlusher}), for users the consumer does not hold ({@link UserClaims}); the last batch's users are let go
 * on the container's idle event.
 *
 * <p>Pipelined across polls, at least once: a batch's writes are handed over (sent once the previous batch's writes
 * succeeded, a large batch's also only once the next batch's reads are answered, see {@link FeatureUpdater#apply}) and
 * the listener returns to poll, parse, read and compute the next batch while Redis applies them (what the reads may
 * miss of those writes comes from memory, see {@link FeatureUpdater}). Before a batch is read, the writes of the batch
 * before the previous one are waited for: at most two batches are in flight. A batch is acknowledged (ack mode
 * {@code manual}: the container commits on its own thread) only once Redis applied its writes; writes and
 * acknowledgements stay in poll order. If a batch's writes fail, the batches after it are dropped unwritten, every
 * partition is sought back to the first offset not written, and the listener backs off (0.1 s doubling to 5 s, for as
 * long as it takes) before reading them again; a failure noticed while no records come is handled on the container's
 * idle event ({@code spring.kafka.listener.idle-event-interval}). Redelivered events are skipped by the event-id dedup
 * ({@link SeenEvents}), so replays change nothing.
 */
@Component
class EventListener implements ConsumerSeekAware {
    static final String REASON_HEADER = "marquee-dlt-reason";
    private static final Logger log = LoggerFactory.getLogger(EventListener.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final FeatureUpdater updater;
    private final LabelFlusher flusher;
    private final EventParser eventParser;
    private final Validator validator;
    private final KafkaTemplate<String, String> kafka;
    private final Counter deadLettered;
    private final ReplayMarks replayMarks;
    private final Duration catalogRebuildWait;
    /** While rebuilding: until when (nanoTime) to wait for the catalog's view; 0 when not waiting (consumer thread). */
    private long catalogWaitUntil;
    /** The batches whose writes were handed over and not yet seen to succeed, oldest first (consumer thread only). */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private long backoffMs;
    private final EventTimeWindow window;
    private final int poisonAttempts;
    /** The last batch that failed before writing, and why, and how often in a row (consumer thread only). */
    private String lastFault;
    private int faultsInARow;
    /** Completes when the last batch sent was acknowledged; never, if a batch before it failed (until a rewind). */
    private CompletableFuture<Void> acked = CompletableFuture.completedFuture(null);

    /** A batch sent to Redis: where it started on each partition, and its writes. */
    private record InFlight(Map<TopicPartition, Long> firstOffsets, CompletableFuture<Integer> written) {
    }

    /** The writes of a batch in flight failed: it and everything read after it must be read again. */
    private static final class EarlierWriteFailed extends RuntimeException {
        EarlierWriteFailed(Throwable cause) {
            super(cause);
        }
    }

    EventListener(FeatureUpdater updater, LabelFlusher flusher, JsonMapper json, Validator validator,
                  KafkaTemplate<String, String> kafka, MeterRegistry meters, IngestProperties ingest,
                  FeatureProperties features, StringRedisTemplate redis) {
        this.replayMarks = new ReplayMarks(redis);
        this.catalogRebuildWait = features.catalogRebuildWait();
        this.window = ingest.eventTimeWindow();
        this.poisonAttempts = features.poisonAttempts();
        this.updater = updater;
        this.flusher = flusher;
        this.eventParser = new EventParser(json);
        this.validator = validator;
        this.kafka = kafka;
        this.deadLettered = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "dead_letter");
    }

    /** Values are read as bytes and parsed from them ({@link EventParser}): no string decoded per record. */
    @KafkaListener(id = "features", topics = Topics.EVENTS, batch = "true",
            properties = "value.deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer")
    void onEvents(List<ConsumerRecord<String, byte[]>> records, Acknowledgment ack, Consumer<?, ?> consumer) {
        Map<TopicPartition, Long> firstOffsets = firstOffsets(records);
        if (!catalogReady(firstOffsets, consumer)) {
            return;
        }
        List<FeatureUpdater.StreamEvent> events = new ArrayList<>(records.size());
        List<ConsumerRecord<String, byte[]>> applicable = new ArrayList<>(records.size());
        Instant now = Instant.now();
        for (ConsumerRecord<String, byte[]> record : records) {
            InteractionEvent event;
            try {
                event = eventParser.parse(record.value());
            } catch (JacksonException | IllegalArgumentException e) {
                deadLetter(record, e.getMessage());
                continue;
            }
            if (event == null) {
                deadLetter(record, "the record is the JSON literal null, not an event");
                continue;
            }
            // the hand-written check first (a tenth of the cost); the Validator names what is wrong
            Set<ConstraintViolation<InteractionEvent>> violations = EventCheck.conforms(event) ? Set.of()
                    : validator.validate(event);
            if (!violations.isEmpty()) {
                deadLetter(record, violations.stream().map(v -> v.getPropertyPath() + ": " + v.getMessage())
                        .sorted().collect(Collectors.joining("; ")));
                continue;
            }
            String late = window.problem(event.timestamp(), now);
            if (late != null) {
                deadLetter(record, "timestamp: " + late);
                continue;
            }
            events.add(new FeatureUpdater.StreamEvent(record.partition(), record.offset(), event));
            applicable.add(record);
        }
        CompletableFuture<Integer> written;
        try {
            written = updater.apply(events, this::settleAllButLast);
        } catch (EarlierWriteFailed e) {
            rewind(e.getCause(), firstOffsets, (tp, offset) -> consumer.seek(tp, offset));
            return;
        } catch (RuntimeException e) {
            if (!settleOrRewind(firstOffsets, (tp, offset) -> consumer.seek(tp, offset))) {
                return; // the earlier batch failed: both are read again
            }
            updater.forgetLastSent(); // its state may have been half updated by this batch
            if (!Failures.isOutage(e) && isRepeatedFault(firstOffsets, e)) {
                applyOneByOne(events, applicable, e);
                // everything before it is written (settled above), and it is now; still acknowledged in poll order
                acked = acked.thenRun(ack::acknowledge);
                return;
            }
            throw e; // this batch failed before writing: the error handler retries it, backing off
        }
        faultsInARow = 0;
        lastFault = null;
        // acknowledged in poll order, each only after the one before it
        acked = CompletableFuture.allOf(acked, written).thenRun(ack::acknowledge);
        inFlight.addLast(new InFlight(firstOffsets, written));
    }

    /** Whether the batch starting at {@code firstOffsets} failed the same way {@code poisonAttempts} times in a row. */
    private boolean isRepeatedFault(Map<TopicPartition, Long> firstOffsets, RuntimeException e) {
        String fault = firstOffsets + " " + Failures.reason(e);
        faultsInARow = fault.equals(lastFault) ? faultsInARow + 1 : 1;
        lastFault = fault;
        log.warn("batch at {} failed ({} of {} before its events are applied one by one): {}", firstOffsets,
                faultsInARow, poisonAttempts, Failures.reason(e));
        return faultsInARow >= poisonAttempts;
    }

    /**
     * A batch that fails for a reason other than an outage, again and again: its events are applied one at a time,
     * each written before the next, and those that fail for such a reason go to the dead-letter topic with it. An
     * outage meanwhile is thrown: the batch is retried as a whole (the events applied already are skipped as seen).
     */
    private void applyOneByOne(List<FeatureUpdater.StreamEvent> events,
                               List<ConsumerRecord<String, byte[]>> records, RuntimeException batchFailure) {
        log.warn("applying {} events one by one to find those that fail: {}", events.size(),
                Failures.reason(batchFailure));
        faultsInARow = 0;
        lastFault = null;
        for (int i = 0; i < events.size(); i++) {
            CompletableFuture<Integer> written;
            try {
                written = updater.apply(List.of(events.get(i)), () -> { });
            } catch (RuntimeException e) {
                updater.forgetLastSent();
                if (Failures.isOutage(e)) {
                    throw e;
                }
                deadLetter(records.get(i), "not applicable: " + Failures.reason(e));
                continue;
            }
            updater.sendDeferred();
            try {
                written.join();
            } catch (RuntimeException e) {
                updater.forgetLastSent();
                throw e; // computed, not written: an outage
            }
        }
        updater.forgetLastSent();
    }

    /**
     * Before a batch is read: waits for the batches in flight but the last one (whose writes wait for this batch's
     * reads); throws {@link EarlierWriteFailed} if the writes of one failed.
     */
    private void settleAllButLast() {
        while (inFlight.size() > 1) {
            settleOldest();
        }
    }

    /** Waits for every batch in flight; throws {@link EarlierWriteFailed} if the writes of one failed. */
    private void settle() {
        updater.sendDeferred(); // if not sent yet (this batch failed before its reads): it is waited for now
        while (!inFlight.isEmpty()) {
            settleOldest();
        }
    }

    private void settleOldest() {
        try {
            inFlight.peekFirst().written().get();
            inFlight.removeFirst();
            backoffMs = 0;
        } catch (ExecutionException e) {
            throw new EarlierWriteFailed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@link #settle()}, rewinding if a batch in flight failed; returns whether they all succeeded. */
    private boolean settleOrRewind(Map<TopicPartition, Long> current, BiConsumer<TopicPartition, Long> seek) {
        try {
            settle();
            return true;
        } catch (EarlierWriteFailed e) {
            rewind(e.getCause(), current, seek);
            return false;
        }
    }

    /**
     * A batch in flight was not written: seek back to the first offsets of the batches in flight (it and those after
     * it, whose writes were not sent) and to those of {@code current}, the batch being dropped, on partitions they did
     * not have, then back off before they are read again.
     */
    private void rewind(Throwable failure, Map<TopicPartition, Long> current, BiConsumer<TopicPartition, Long> seek) {
        Map<TopicPartition, Long> seekTo = new HashMap<>(current);
        inFlight.forEach(f -> f.firstOffsets().forEach((tp, offset) -> seekTo.merge(tp, offset, Math::min)));
        inFlight.clear();
        acked = CompletableFuture.completedFuture(null);
        updater.forgetLastSent();
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, backoffMs * 2));
        log.warn("batch not applied, re-reading from {} in {} ms: {}", seekTo, backoffMs,
                NestedExceptionUtils.getMostSpecificCause(failure).toString());
        try {
            Thread.sleep(backoffMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        seekTo.forEach(seek);
    }

    /**
     * A partition the feature store has no mark of (a new Redis, or one that lost its data) is read again from its
     * beginning: the features are a view of the events topic, rebuilt from it ({@link ReplayMarks}).
     */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        if (replayMarks.replayUnmarked(RedisKeys.VIEW_FEATURES, assignments, callback)) {
            catalogWaitUntil = System.nanoTime() + catalogRebuildWait.toNanos();
        }
    }

    /**
     * A rebuild applies events only once the catalog's view is complete (the embedding service may be rebuilding it
     * too): the features take each item's category and vector from it. Until then, or at most
     * {@code marquee.features.catalog-rebuild-wait}, the batch is sought back and read again a second later.
     *
     * @return whether the batch may be applied
     */
    private boolean catalogReady(Map<TopicPartition, Long> firstOffsets, Consumer<?, ?> consumer) {
        if (catalogWaitUntil == 0) {
            return true;
        }
        boolean complete;
        try {
            complete = replayMarks.isComplete(RedisKeys.VIEW_CATALOG);
        } catch (RuntimeException e) {
            complete = false;
        }
        if (complete || System.nanoTime() > catalogWaitUntil) {
            if (!complete) {
                log.warn("view features: the catalog's view is still not complete; rebuilding without waiting longer "
                        + "(events of items not yet in it lose their category and taste contributions)");
            }
            catalogWaitUntil = 0;
            return true;
        }
        firstOffsets.forEach(consumer::seek);
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * No records for a while: a failure of a batch sent is dealt with here; else, once the writes of the last one are
     * done (and with them all before it), their users are let go, so the label flusher can resolve their due
     * impressions too.
     */
    @Override
    public void onIdleContainer(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        if (!inFlight.isEmpty() && inFlight.peekLast().written().isDone()) {
            settleOrRewind(Map.of(), (tp, offset) -> callback.seek(tp.topic(), tp.partition(), offset));
        }
        if (inFlight.isEmpty()) {
            updater.forgetLastSent();
        }
    }

    /**
     * Partitions go (rebalance, stop): let the writes in flight finish (what was not acknowledged is re-read) and the
     * label flusher's round in progress end; it no longer flushes them.
     */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        updater.forgetPartitions(partitions.stream().map(TopicPartition::partition).toList());
        flusher.awaitRound();
        updater.sendDeferred();
        List<InFlight> flying = List.copyOf(inFlight);
        inFlight.clear();
        acked = CompletableFuture.completedFuture(null);
        for (InFlight f : flying) {
            try {
                f.written().get();
            } catch (ExecutionException e) {
                log.warn("batch not applied before partitions were revoked; it will be re-read: {}",
                        e.getCause().toString());
                break; // those after it were not written either
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // only now: the flusher may take users of partitions kept, whose state the writes above may have carried
        updater.forgetLastSent();
    }

    private static Map<TopicPartition, Long> firstOffsets(List<ConsumerRecord<String, byte[]>> records) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            out.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        return out;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        log.warn("event at {}-{}@{} is invalid, sent to {}: {}", record.topic(), record.partition(),
                record.offset(), Topics.EVENTS_DEAD_LETTER, reason);
        ProducerRecord<String, String> dlt = new ProducerRecord<>(Topics.EVENTS_DEAD_LETTER, record.key(),
                record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8));
        dlt.headers().add(REASON_HEADER, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        kafka.send(dlt).join();
        deadLettered.increment();
    }
}
