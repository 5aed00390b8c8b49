package dev.marquee.embedding.catalog;

import dev.marquee.common.Topics;
import dev.marquee.common.catalog.CatalogItem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Consumes the catalog topic in batches; the newest version of an item in a batch wins. */
@Component
class CatalogListener {
    private static final Logger log = LoggerFactory.getLogger(CatalogListener.class);
    private final CatalogEmbedder embedder;
    private final JsonMapper json;

    CatalogListener(CatalogEmbedder embedder, JsonMapper json) {
        this.embedder = embedder;
        this.json = json;
    }

    @KafkaListener(id = "catalog-embedder", topics = Topics.CATALOG, batch = "true")
    void onItems(List<ConsumerRecord<String, String>> records) {
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
        embedder.embed(List.copyOf(latest.values()));
        log.info("embedded {} catalog items", latest.size());
    }
}
