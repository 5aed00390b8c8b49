package dev.marquee.embedding.catalog;

import dev.marquee.common.Topics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.redis.ReplayMarks;
import dev.marquee.embedding.milvus.ItemIndex;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes the catalog topic in batches; the newest version of an item in a batch wins.
 *
 * <p>Pipelined across polls, at least once: a poll is encoded here, on the consumer thread, and its writes are queued
 * on the embedder's writer ({@link CatalogEmbedder.WriteStream}), so the next poll is read and encoded while the
 * previous one is written. The poll is acknowledged (ack mode {@code manual}: the container commits on its own thread)
 * only when its writes are done; writes and acknowledgements stay in poll order. If a write fails the stream refuses
 * every later write, so no later offset is committed; at the next poll (or idle event) the listener waits for the
 * queued writes, seeks every partition back to the first offset not written, backs off and starts again.
 */
@Component
class CatalogListener implements ConsumerSeekAware {
    private static final Logger log = LoggerFactory.getLogger(CatalogListener.class);
    private static final long MAX_BACKOFF_MS = 30_000;
    /** A rebuild not ended by its consumer (it died) stops holding the views that wait for it after this long. */
    private static final Duration REBUILD_TTL = Duration.ofMinutes(30);
    private final CatalogEmbedder embedder;
    private final JsonMapper json;
    private final ItemIndex index;
    private final ReplayMarks replayMarks;
    /** Per consumer thread (the container may run several). */
    private final ThreadLocal<State> state;

    private record Pending(Map<TopicPartition, Long> firstOffsets, CompletableFuture<Void> written) {
    }

    private static final class State {
        final CatalogEmbedder.WriteStream stream;
        final Deque<Pending> pending = new ArrayDeque<>();
        volatile long backoffMs;
        ConsumerSeekCallback seeks;

        State(CatalogEmbedder.WriteStream stream) {
            this.stream = stream;
        }
    }

    CatalogListener(CatalogEmbedder embedder, JsonMapper json, ItemIndex index, StringRedisTemplate redis) {
        this.embedder = embedder;
        this.index = index;
        this.replayMarks = new ReplayMarks(redis);
        this.json = json;
        this.state = ThreadLocal.withInitial(() -> new State(embedder.newStream()));
    }

    /**
     * Called on the consumer thread (unlike {@code registerSeekCallback}): keep its seek callback. The item features in
     * Redis and the vectors in Milvus are a view of the catalog topic: a partition Redis has no mark of, and every
     * partition when the served collection is empty (Milvus lost its data), is read again from its beginning
     * ({@link ReplayMarks}). Until this consumer has caught up, the catalog's view counts as being rebuilt: a rebuild of
     * the features waits for it.
     */
    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        state.get().seeks = callback;
        try {
            if (index.servedCount() == 0) {
                replayMarks.forget(RedisKeys.VIEW_CATALOG);
            }
        } catch (RuntimeException e) {
            log.warn("could not tell whether the served collection is empty ({}); not rebuilding it", e.toString());
        }
        try {
            // before the marks: the view is complete again only once this consumer caught up (onIdleContainer)
            replayMarks.startRebuild(RedisKeys.VIEW_CATALOG, REBUILD_TTL);
        } catch (RuntimeException e) {
            log.warn("could not flag the catalog as being read: {}", e.toString());
        }
        replayMarks.replayUnmarked(RedisKeys.VIEW_CATALOG, assignments, callback);
    }

    @KafkaListener(id = "catalog-embedder", topics = Topics.CATALOG, batch = "true")
    void onItems(List<ConsumerRecord<String, String>> records, Acknowledgment ack) {
        State s = state.get();
        s.pending.removeIf(p -> p.written().isDone() && !p.written().isCompletedExceptionally());
        if (s.stream.failure() != null) {
            rewind(s, CatalogBatch.firstOffsets(records), s.seeks);
            return;
        }
        List<CatalogItem> items = CatalogBatch.latest(records, json);
        CompletableFuture<Void> written = s.stream.embedAsync(items);
        s.pending.add(new Pending(CatalogBatch.firstOffsets(records), written));
        written.whenComplete((ok, error) -> {
            if (error == null) {
                ack.acknowledge();
                s.backoffMs = 0;
                log.debug("embedded {} catalog items", items.size());
            } else {
                log.warn("writing {} catalog items failed; not acknowledged: {}", items.size(), error.toString());
            }
        });
    }

    /**
     * A failure may be waiting while no records come: deal with it when the container is idle. Else the consumer has
     * caught up with the topic: once its writes are done, a rebuild of the catalog's view (this one's or one a
     * consumer that died began) is over.
     */
    @Override
    public void onIdleContainer(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        State s = state.get();
        if (s.stream.failure() != null) {
            rewind(s, Map.of(), callback);
            return;
        }
        awaitAll(s);
        if (s.stream.failure() == null) {
            try {
                replayMarks.endRebuild(RedisKeys.VIEW_CATALOG);
            } catch (RuntimeException e) {
                log.debug("could not clear the catalog rebuild flag: {}", e.toString());
            }
        }
    }

    /** Let queued writes finish (and be acknowledged) before the partitions go; unacknowledged ones are re-read. */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        State s = state.get();
        awaitAll(s);
        s.pending.clear();
        s.stream.clearFailure();
    }

    private void rewind(State s, Map<TopicPartition, Long> current, ConsumerSeekCallback callback) {
        awaitAll(s);
        Map<TopicPartition, Long> seekTo = new HashMap<>(current);
        for (Pending p : s.pending) {
            if (p.written().isCompletedExceptionally()) {
                p.firstOffsets().forEach((tp, offset) -> seekTo.merge(tp, offset, Math::min));
            }
        }
        long backoff = Math.min(MAX_BACKOFF_MS, Math.max(1_000, s.backoffMs * 2));
        s.backoffMs = backoff;
        log.warn("catalog write failed ({}); re-reading from {} in {} ms", s.stream.failure().toString(), seekTo,
                backoff);
        try {
            Thread.sleep(backoff);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        seekTo.forEach((tp, offset) -> callback.seek(tp.topic(), tp.partition(), offset));
        s.pending.clear();
        s.stream.clearFailure();
    }

    private static void awaitAll(State s) {
        for (Pending p : s.pending) {
            try {
                p.written().get();
            } catch (ExecutionException e) {
                // recorded in the stream's failure
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
