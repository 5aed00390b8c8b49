package dev.marquee.embedding.catalog;

import dev.marquee.common.Topics;
import dev.marquee.common.catalog.CatalogItem;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole catalog as of now, read from the compacted catalog topic from its beginning to its current end
 * (the latest version of each item wins). Used to re-embed everything for a new model.
 */
@Component
public class CatalogSnapshot {
    private final ConsumerFactory<String, String> consumers;
    private final JsonMapper json;

    CatalogSnapshot(ConsumerFactory<String, String> consumers, JsonMapper json) {
        this.consumers = consumers;
        this.json = json;
    }

    public Collection<CatalogItem> read() {
        Map<String, CatalogItem> latest = new LinkedHashMap<>();
        try (Consumer<String, String> consumer = consumers.createConsumer("marquee-snapshot-" + UUID.randomUUID(),
                null)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CATALOG).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                        continue;
                    }
                    try {
                        CatalogItem item = json.readValue(r.value(), CatalogItem.class);
                        latest.put(item.itemId(), item);
                    } catch (JacksonException e) {
                        // unreadable records were skipped by the live consumer too
                    }
                }
            }
        }
        return latest.values();
    }
}
