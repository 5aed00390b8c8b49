package dev.marquee.embedding.catalog;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemCollection;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Embeds catalog items with T5 (through the shared micro-batcher) and stores the vectors twice: in Milvus for ANN
 * search and in the Redis item hash for O(1) lookups by the feature consumer and the ranker. Milvus is written first,
 * so an item visible in Redis is searchable.
 *
 * <p>Large inputs are cut into encoder-sized chunks and pipelined: while chunk k is written to Milvus and Redis (one
 * writer thread, so writes stay in order), chunk k+1 is encoded. {@link #embed} returns once every write is done, so
 * the consumer commits its offsets only after the stores have the vectors.
 */
@Component
public class CatalogEmbedder {
    private final EncodeBatcher batcher;
    private final String model;
    private final ItemIndex index;
    private final FeatureStore store;
    /** Rows per Milvus upsert when a large input is embedded. */
    private static final int WRITE_BATCH = 256;
    private final Counter embedded;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "embedding-writer");
        t.setDaemon(true);
        return t;
    });

    public CatalogEmbedder(EncodeBatcher batcher, T5Encoder encoder, ItemIndex index, FeatureStore store,
                    MeterRegistry meters) {
        this.batcher = batcher;
        this.model = encoder.modelId();
        this.index = index;
        this.store = store;
        this.embedded = meters.counter(Metrics.EMBEDDED_ITEMS);
    }

    /** Live path: into the served collection (and the version being built, if any). */
    public void embed(List<CatalogItem> items) {
        pipelined(items, rows -> index.upsert(rows, model));
        embedded.increment(items.size());
    }

    /** Re-embedding path: into one given collection only. */
    public void embedInto(ItemCollection target, List<CatalogItem> items) {
        pipelined(items, rows -> target.upsert(rows, model));
    }

    private void pipelined(List<CatalogItem> items, Consumer<List<ItemCollection.Row>> milvusWrite) {
        int chunk = batcher.maxBatchSize();
        List<Future<?>> writes = new ArrayList<>();
        List<CatalogItem> pendingItems = new ArrayList<>();
        List<float[]> pendingVectors = new ArrayList<>();
        for (int from = 0; from < items.size(); from += chunk) {
            List<CatalogItem> part = items.subList(from, Math.min(items.size(), from + chunk));
            pendingItems.addAll(part);
            pendingVectors.addAll(List.of(batcher.encode(part.stream().map(CatalogItem::text).toList())));
            // writes are grouped (a Milvus upsert costs about the same for 1 or 200 rows) and overlap encoding
            boolean lastChunk = from + chunk >= items.size();
            if (pendingItems.size() >= WRITE_BATCH || lastChunk) {
                List<CatalogItem> group = List.copyOf(pendingItems);
                float[][] vectors = pendingVectors.toArray(float[][]::new);
                pendingItems.clear();
                pendingVectors.clear();
                writes.add(writer.submit(() -> {
                    milvusWrite.accept(rows(group, vectors));
                    writeRedis(group, vectors);
                }));
            }
        }
        for (Future<?> w : writes) {
            try {
                w.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while writing vectors", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re
                        : new IllegalStateException("writing vectors failed", e.getCause());
            }
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

    private void writeRedis(List<CatalogItem> items, float[][] vectors) {
        store.pipelined(c -> {
            for (int i = 0; i < items.size(); i++) {
                CatalogItem item = items.get(i);
                byte[] key = bytes(RedisKeys.item(item.itemId()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_TITLE), bytes(item.title()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_CATEGORY), bytes(item.category()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_PRICE), bytes(Double.toString(item.price())));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_MODEL), bytes(model));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(vectors[i]));
                c.setCommands().sAdd(bytes(RedisKeys.ALL_ITEMS), bytes(item.itemId()));
            }
            return null;
        });
    }
}
