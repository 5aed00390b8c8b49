package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.event.InteractionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stream consumer: reads the events topic in batches and hands them to {@link FeatureUpdater}. Offsets are
 * committed by the container after this method returns, i.e. after the Redis write (at-least-once; replays are
 * idempotent). A record that cannot be parsed goes to the dead-letter topic with the reason, and the batch goes on.
 */
@Component
class EventListener {
    static final String REASON_HEADER = "marquee-dlt-reason";
    private static final Logger log = LoggerFactory.getLogger(EventListener.class);

    private final FeatureUpdater updater;
    private final JsonMapper json;
    private final KafkaTemplate<String, String> kafka;
    private final Counter deadLettered;

    EventListener(FeatureUpdater updater, JsonMapper json, KafkaTemplate<String, String> kafka, MeterRegistry meters) {
        this.updater = updater;
        this.json = json;
        this.kafka = kafka;
        this.deadLettered = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "dead_letter");
    }

    @KafkaListener(id = "features", topics = Topics.EVENTS, batch = "true")
    void onEvents(List<ConsumerRecord<String, String>> records) {
        List<InteractionEvent> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            try {
                events.add(json.readValue(record.value(), InteractionEvent.class));
            } catch (JacksonException | IllegalArgumentException e) {
                deadLetter(record, e);
            }
        }
        updater.apply(events);
    }

    private void deadLetter(ConsumerRecord<String, String> record, Exception reason) {
        log.warn("event at {}-{}@{} is unreadable, sent to {}: {}", record.topic(), record.partition(),
                record.offset(), Topics.EVENTS_DEAD_LETTER, reason.getMessage());
        ProducerRecord<String, String> dlt = new ProducerRecord<>(Topics.EVENTS_DEAD_LETTER, record.key(),
                record.value());
        dlt.headers().add(REASON_HEADER, String.valueOf(reason.getMessage()).getBytes(StandardCharsets.UTF_8));
        kafka.send(dlt).join();
        deadLettered.increment();
    }
}
