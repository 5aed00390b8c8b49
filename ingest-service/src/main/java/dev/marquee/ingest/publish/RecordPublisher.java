package dev.marquee.ingest.publish;

import dev.marquee.common.Topics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.ingest.config.IngestProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes validated records to Kafka and returns only once the broker acknowledged all of them (acks=all,
 * idempotent producer): a 202 from ingest means the records are durable.
 */
@Component
public class RecordPublisher {
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final IngestProperties props;

    RecordPublisher(KafkaTemplate<String, String> kafka, JsonMapper json, IngestProperties props) {
        this.kafka = kafka;
        this.json = json;
        this.props = props;
    }

    /** Events are keyed by user id so that one user's events stay in order on one partition. */
    public int publishEvents(List<InteractionEvent> events) {
        return publish(Topics.EVENTS, events, InteractionEvent::userId);
    }

    /** Catalog records are keyed by item id (the topic is compacted: the latest version wins). */
    public int publishItems(List<CatalogItem> items) {
        return publish(Topics.CATALOG, items, CatalogItem::itemId);
    }

    private <T> int publish(String topic, List<T> records, Function<T, String> key) {
        List<CompletableFuture<SendResult<String, String>>> sends = new ArrayList<>(records.size());
        try {
            for (T record : records) {
                // throws when the producer cannot even queue it (no metadata within max.block.ms: Kafka down)
                sends.add(kafka.send(topic, key.apply(record), json.writeValueAsString(record)));
            }
        } catch (RuntimeException e) {
            throw new PublishFailedException(topic, e);
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .get(props.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailedException(topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new PublishFailedException(topic, e);
        }
        return records.size();
    }
}
