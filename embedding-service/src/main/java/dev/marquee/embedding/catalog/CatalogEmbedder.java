package dev.marquee.embedding.catalog;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemCollection;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Embeds catalog items with T5 (through the shared micro-batcher) and stores the vectors twice: in Milvus for ANN
 * search and in the Redis item hash for O(1) lookups by the feature consumer and the ranker. Milvus is written first,
 * so an item visible in Redis is searchable.
 *
 * <p>Encoding runs on the caller's thread; writes are grouped (up to {@code writeBatchSize} rows per Milvus upsert and
 * Redis pipeline; a group of at least 64 rows is handed over early whenever the writer is idle, so groups grow only while writing lags)
 * and run on one writer thread, in submission order, so that the encoding of the next rows — within one
 * call and, through {@link WriteStream#embedAsync}, across consumer polls — overlaps the writing of the previous
 * ones. At most {@code writesInFlight} groups wait behind the one being written; then the caller blocks
 * (back-pressure). A {@link WriteStream}'s futures complete in submission order, and once one of its writes fails the
 * stream refuses every later write until {@link WriteStream#clearFailure()}: a consumer that acknowledges a poll when
 * its future completes never commits an offset past a failed write.
 */
@Component
public class CatalogEmbedder {
    /** Seconds spent per stage of the catalog path: encode (caller), milvus and redis (writer), backpressure. */
    public static final String STAGE_TIMER = "marquee.embedding.stage";
    static final int DEFAULT_WRITE_BATCH = 512;
    static final int DEFAULT_WRITES_IN_FLIGHT = 2;
    /** Smallest group handed to an idle writer early: each write has a fixed cost (one-row upserts at batch 1 cost
     *  the encoder a third of its CPU on 2 cores). */
    static final int EARLY_WRITE_MIN = 64;

    private final EncodeBatcher batcher;
    private final String model;
    private final ItemIndex index;
    private final FeatureStore store;
    private final int writeBatch;
    private final Semaphore slots;
    /** Groups submitted to the writer and not finished yet. */
    private final AtomicInteger writing = new AtomicInteger();
    private final Counter embedded;
    private final Counter writeFailures;
    private final Timer encodeTimer;
    private final Timer milvusTimer;
    private final Timer redisTimer;
    private final Timer backpressureTimer;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "embedding-writer");
        t.setDaemon(true);
        return t;
    });

    @Autowired
    public CatalogEmbedder(EncodeBatcher batcher, T5Encoder encoder, ItemIndex index, FeatureStore store,
                           MeterRegistry meters, EmbeddingProperties props) {
        this(batcher, encoder, index, store, meters, props.writeBatchSize(), props.writesInFlight());
    }

    public CatalogEmbedder(EncodeBatcher batcher, T5Encoder encoder, ItemIndex index, FeatureStore store,
                           MeterRegistry meters) {
        this(batcher, encoder, index, store, meters, DEFAULT_WRITE_BATCH, DEFAULT_WRITES_IN_FLIGHT);
    }

    public CatalogEmbedder(EncodeBatcher batcher, T5Encoder encoder, ItemIndex index, FeatureStore store,
                           MeterRegistry meters, int writeBatchSize, int writesInFlight) {
        this.batcher = batcher;
        this.model = encoder.modelId();
        this.index = index;
        this.store = store;
        this.writeBatch = writeBatchSize;
        // the group being written plus writesInFlight queued behind it
        this.slots = new Semaphore(writesInFlight + 1);
        this.embedded = meters.counter(Metrics.EMBEDDED_ITEMS);
        this.writeFailures = meters.counter(Metrics.EMBEDDING_WRITE_FAILURES);
        this.encodeTimer = meters.timer(STAGE_TIMER, "stage", "encode");
        this.milvusTimer = meters.timer(STAGE_TIMER, "stage", "milvus");
        this.redisTimer = meters.timer(STAGE_TIMER, "stage", "redis");
        this.backpressureTimer = meters.timer(STAGE_TIMER, "stage", "backpressure");
    }

    /** Live path, synchronous: into the served collection (and the version being built, if any). */
    public void embed(List<CatalogItem> items) {
        join(new WriteStream().write(items, rows -> index.upsert(rows, model), true));
    }

    /** Re-embedding path: into one given collection only; returns when written. */
    public void embedInto(ItemCollection target, List<CatalogItem> items) {
        WriteStream once = new WriteStream();
        join(once.write(items, rows -> target.upsert(rows, model), false));
    }

    /** The searchable vectors changed other than by a write (the served collection was swapped). */
    public void catalogChanged() {
        store.catalogChanged();
    }

    /** A new ordered write stream for one consumer (its own failure state). */
    public WriteStream newStream() {
        return new WriteStream();
    }

    /**
     * An ordered sequence of asynchronous live writes. Not for concurrent callers: one consumer thread uses it.
     */
    public final class WriteStream {
        private volatile Throwable failure;

        private WriteStream() {
        }

        /**
         * Encodes {@code items} now (on the calling thread) and queues their writes to the served collection and
         * Redis. The future completes when all of them are stored, after every earlier write of this stream; it
         * fails if one of them failed, or if an earlier write of this stream failed and {@link #clearFailure()} has
         * not been called since.
         */
        public CompletableFuture<Void> embedAsync(List<CatalogItem> items) {
            return write(items, rows -> index.upsert(rows, model), true);
        }

        /** The first write failure since the last {@link #clearFailure()}, or null. */
        public Throwable failure() {
            return failure;
        }

        /** After the caller has rewound to the failed input: accept writes again. */
        public void clearFailure() {
            failure = null;
        }

        private CompletableFuture<Void> write(List<CatalogItem> items,
                                              Consumer<List<ItemCollection.Row>> milvusWrite, boolean live) {
            if (items.isEmpty()) {
                return failure == null ? CompletableFuture.completedFuture(null) : CompletableFuture.failedFuture(
                        new IllegalStateException("an earlier write of this stream failed", failure));
            }
            List<CompletableFuture<Void>> groups = new ArrayList<>();
            List<CatalogItem> pendingItems = new ArrayList<>();
            List<float[]> pendingVectors = new ArrayList<>();
            int chunk = batcher.maxBatchSize();
            try {
                for (int from = 0; from < items.size(); from += chunk) {
                    List<CatalogItem> part = items.subList(from, Math.min(items.size(), from + chunk));
                    long t0 = System.nanoTime();
                    float[][] vectors = batcher.encode(part.stream().map(CatalogItem::text).toList());
                    encodeTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    pendingItems.addAll(part);
                    pendingVectors.addAll(List.of(vectors));
                    // a group goes to the writer when it is full, at the end of the input, or at once when the
                    // writer is idle: groups stay small while writing keeps up and grow when it falls behind
                    if (pendingItems.size() >= writeBatch || from + chunk >= items.size()
                            || (writing.get() == 0 && pendingItems.size() >= Math.min(writeBatch, EARLY_WRITE_MIN))) {
                        groups.add(submit(List.copyOf(pendingItems), pendingVectors.toArray(float[][]::new),
                                milvusWrite, live));
                        pendingItems.clear();
                        pendingVectors.clear();
                    }
                }
            } catch (RuntimeException e) {
                // nothing after this input may be acknowledged either: fail the stream like a failed write
                fail(e);
                groups.add(CompletableFuture.failedFuture(e));
            }
            return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new));
        }

        private CompletableFuture<Void> submit(List<CatalogItem> group, float[][] vectors,
                                               Consumer<List<ItemCollection.Row>> milvusWrite, boolean live) {
            long t0 = System.nanoTime();
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the writer", e);
            }
            backpressureTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
            CompletableFuture<Void> done = new CompletableFuture<>();
            writing.incrementAndGet();
            writer.execute(() -> {
                Throwable earlier = failure;
                try {
                    if (earlier != null) {
                        throw new IllegalStateException("an earlier write of this stream failed", earlier);
                    }
                    long w0 = System.nanoTime();
                    milvusWrite.accept(rows(group, vectors));
                    long w1 = System.nanoTime();
                    writeRedis(group, vectors);
                    milvusTimer.record(w1 - w0, TimeUnit.NANOSECONDS);
                    redisTimer.record(System.nanoTime() - w1, TimeUnit.NANOSECONDS);
                    if (live) {
                        embedded.increment(group.size());
                    }
                    writing.decrementAndGet();
                    slots.release();
                    done.complete(null);
                } catch (Throwable e) {
                    if (earlier == null) {
                        writeFailures.increment();
                    }
                    fail(e);
                    writing.decrementAndGet();
                    slots.release();
                    done.completeExceptionally(e);
                }
            });
            return done;
        }

        private synchronized void fail(Throwable e) {
            if (failure == null) {
                failure = e;
            }
        }
    }

    private static void join(CompletableFuture<Void> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re
                    : new IllegalStateException("writing vectors failed", e.getCause());
        }
    }

    private static List<ItemCollection.Row> rows(List<CatalogItem> items, float[][] vectors) {
        List<ItemCollection.Row> rows = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            CatalogItem item = items.get(i);
            rows.add(new ItemCollection.Row(item.itemId(), vectors[i], item.category(), item.price()));
        }
        return rows;
    }

    /**
     * One HSET (all catalog fields) per item, one SADD of the group to the item ids and its withdrawn items to
     * {@link RedisKeys#INACTIVE_ITEMS} (the others removed from it) and one INCR of {@link RedisKeys#CATALOG_VERSION},
     * in one pipeline. Of an item listed twice, the
     * last version counts.
     */
    private void writeRedis(List<CatalogItem> items, float[][] vectors) {
        Map<String, Boolean> active = new LinkedHashMap<>();
        items.forEach(item -> active.put(item.itemId(), item.isActive()));
        byte[][] ids = active.keySet().stream().map(FeatureStore::bytes).toArray(byte[][]::new);
        byte[][] withdrawn = ids(active, false);
        byte[][] offered = ids(active, true);
        store.pipelined(c -> {
            for (int i = 0; i < items.size(); i++) {
                CatalogItem item = items.get(i);
                Map<byte[], byte[]> fields = new LinkedHashMap<>();
                fields.put(bytes(RedisKeys.ITEM_TITLE), bytes(item.title()));
                fields.put(bytes(RedisKeys.ITEM_CATEGORY), bytes(item.category()));
                fields.put(bytes(RedisKeys.ITEM_PRICE), bytes(Double.toString(item.price())));
                fields.put(bytes(RedisKeys.ITEM_MODEL), bytes(model));
                fields.put(bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(vectors[i]));
                c.hashCommands().hMSet(bytes(RedisKeys.item(item.itemId())), fields);
            }
            c.setCommands().sAdd(bytes(RedisKeys.ALL_ITEMS), ids);
            if (withdrawn.length > 0) {
                c.setCommands().sAdd(bytes(RedisKeys.INACTIVE_ITEMS), withdrawn);
            }
            if (offered.length > 0) {
                c.setCommands().sRem(bytes(RedisKeys.INACTIVE_ITEMS), offered);
            }
            // after the Milvus write: retrieval searches its cached answers again once this is visible
            c.stringCommands().incr(bytes(RedisKeys.CATALOG_VERSION));
            return null;
        });
    }

    private static byte[][] ids(Map<String, Boolean> active, boolean state) {
        return active.entrySet().stream().filter(e -> e.getValue() == state).map(e -> bytes(e.getKey()))
                .toArray(byte[][]::new);
    }
}
