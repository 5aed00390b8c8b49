package dev.marquee.embedding.catalog;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemCollection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import dev.marquee.common.redis.FeatureStore;
import org.springframework.stereotype.Component;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Embeds catalog items with T5 and stores the vectors twice: in Milvus for ANN search and in the Redis item hash for
 * O(1) lookups by the feature consumer and the ranker. Milvus is written first, so an item visible in Redis is
 * searchable.
 */
@Component
public class CatalogEmbedder {
    private final T5Encoder encoder;
    private final ItemCollection collection;
    private final FeatureStore store;
    private final Counter embedded;
    private final Timer encodeTimer;

    CatalogEmbedder(T5Encoder encoder, ItemCollection collection, FeatureStore store, MeterRegistry meters) {
        this.encoder = encoder;
        this.collection = collection;
        this.store = store;
        this.embedded = meters.counter(Metrics.EMBEDDED_ITEMS);
        this.encodeTimer = meters.timer(Metrics.ENCODE);
    }

    public void embed(List<CatalogItem> items) {
        if (items.isEmpty()) {
            return;
        }
        List<String> texts = items.stream().map(CatalogItem::text).toList();
        float[][] vectors = encodeTimer.record(() -> encoder.encode(texts));
        List<ItemCollection.Row> rows = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            CatalogItem item = items.get(i);
            rows.add(new ItemCollection.Row(item.itemId(), vectors[i], item.category(), item.price()));
        }
        collection.upsert(rows);
        store.pipelined(c -> {
            for (int i = 0; i < items.size(); i++) {
                CatalogItem item = items.get(i);
                byte[] key = bytes(RedisKeys.item(item.itemId()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_TITLE), bytes(item.title()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_CATEGORY), bytes(item.category()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_PRICE), bytes(Double.toString(item.price())));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_MODEL), bytes(encoder.modelId()));
                c.hashCommands().hSet(key, bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(vectors[i]));
                c.setCommands().sAdd(bytes(RedisKeys.ALL_ITEMS), bytes(item.itemId()));
            }
            return null;
        });
        embedded.increment(items.size());
    }
}
