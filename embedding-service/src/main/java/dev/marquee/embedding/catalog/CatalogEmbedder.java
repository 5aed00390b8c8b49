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
import org.springframework.stereotype.Component;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Embeds catalog items with T5 (through the shared micro-batcher) and stores the vectors twice: in Milvus for ANN
 * search and in the Redis item hash for O(1) lookups by the feature consumer and the ranker. Milvus is written first,
 * so an item visible in Redis is searchable.
 */
@Component
public class CatalogEmbedder {
    private final EncodeBatcher batcher;
    private final String model;
    private final ItemIndex index;
    private final FeatureStore store;
    private final Counter embedded;

    CatalogEmbedder(EncodeBatcher batcher, T5Encoder encoder, ItemIndex index, FeatureStore store,
                    MeterRegistry meters) {
        this.batcher = batcher;
        this.model = encoder.modelId();
        this.index = index;
        this.store = store;
        this.embedded = meters.counter(Metrics.EMBEDDED_ITEMS);
    }

    /** Live path: into the served collection (and the version being built, if any). */
    public void embed(List<CatalogItem> items) {
        if (items.isEmpty()) {
            return;
        }
        float[][] vectors = batcher.encode(items.stream().map(CatalogItem::text).toList());
        index.upsert(rows(items, vectors), model);
        writeRedis(items, vectors);
        embedded.increment(items.size());
    }

    /** Re-embedding path: into one given collection only. */
    public void embedInto(ItemCollection target, List<CatalogItem> items) {
        float[][] vectors = batcher.encode(items.stream().map(CatalogItem::text).toList());
        target.upsert(rows(items, vectors), model);
        writeRedis(items, vectors);
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
