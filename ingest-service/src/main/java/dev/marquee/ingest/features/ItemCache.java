package dev.marquee.ingest.features;

import dev.marquee.common.redis.FeatureStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the stream consumer needs of an item (category and vector), kept for a while after it was read so that a batch
 * reads from Redis only the items it has not seen lately: most events are about items other recent events were about
 * too. Items change only when the catalog or the encoder does, and a change reaches the consumer within {@code ttl}.
 * Bounded (least recently used first out). Only embedded items are kept (those with a vector): an item the embedding
 * service has not written yet is read again by every batch until it has. Used by the consumer thread only.
 */
final class ItemCache {
    private record Entry(FeatureStore.ItemTaste taste, long readNanos) {
    }

    private final long ttlNanos;
    private final Map<String, Entry> entries;

    ItemCache(long ttlNanos, int capacity) {
        this.ttlNanos = ttlNanos;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The item as read within the last {@code ttl}, else null. */
    FeatureStore.ItemTaste get(String itemId, long nowNanos) {
        Entry e = entries.get(itemId);
        if (e == null) {
            return null;
        }
        if (nowNanos - e.readNanos() >= ttlNanos) {
            entries.remove(itemId);
            return null;
        }
        return e.taste();
    }

    /** Keeps an item just read, if it is embedded (has a vector). */
    void put(String itemId, FeatureStore.ItemTaste taste, long readNanos) {
        if (ttlNanos > 0 && taste.vector() != null) {
            entries.put(itemId, new Entry(taste, readNanos));
        }
    }
}
