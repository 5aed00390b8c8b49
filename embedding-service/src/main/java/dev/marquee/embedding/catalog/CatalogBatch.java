package dev.marquee.embedding.catalog;

import dev.marquee.common.catalog.CatalogItem;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** What the catalog consumer does with one poll's records before embedding them (shared with the benchmark). */
public final class CatalogBatch {
    private static final Logger log = LoggerFactory.getLogger(CatalogBatch.class);

    private CatalogBatch() {
    }

    /** The items of a poll, newest version of each item id only, in first-seen order; unreadable records skipped. */
    public static List<CatalogItem> latest(List<ConsumerRecord<String, String>> records, JsonMapper json) {
        Map<String, CatalogItem> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                CatalogItem item = json.readValue(record.value(), CatalogItem.class);
                latest.put(item.itemId(), item);
            } catch (JacksonException e) {
                log.warn("skipping unreadable catalog record {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.getMessage());
            }
        }
        return List.copyOf(latest.values());
    }

    /** The lowest offset per partition in {@code records}: where to seek to read them again. */
    public static Map<TopicPartition, Long> firstOffsets(List<ConsumerRecord<String, String>> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        return first;
    }
}
