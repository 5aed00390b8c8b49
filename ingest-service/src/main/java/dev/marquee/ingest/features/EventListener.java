package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.ingest.config.FeatureProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
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
 * committed by the container after this method returns, i.e. after the Redis transaction (at-least-once; replays are
 * idempotent). A record that cannot be parsed or breaks the event schema goes to the dead-letter topic with the reason,
 * and the batch goes on. Between batches, impressions past their label window become negative examples.
 */
@Component
class EventListener {
    static final String REASON_HEADER = "marquee-dlt-reason";
    private static final Logger log = LoggerFactory.getLogger(EventListener.class);

    private final FeatureUpdater updater;
    private final LabelFlusher flusher;
    private final JsonMapper json;
    private final Validator validator;
    private final KafkaTemplate<String, String> kafka;
    private final Counter deadLettered;
    private final Counter negatives;
    private final long flushIntervalNanos;
    private long lastFlush = System.nanoTime();

    EventListener(FeatureUpdater updater, ConsumerRedis redis, FeatureProperties props, JsonMapper json,
                  Validator validator, KafkaTemplate<String, String> kafka, MeterRegistry meters) {
        this.updater = updater;
        this.flusher = new LabelFlusher(redis, kafka, json, props.labelWindow().toMillis());
        this.negatives = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "sent");
        this.json = json;
        this.validator = validator;
        this.kafka = kafka;
        this.deadLettered = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "dead_letter");
        this.flushIntervalNanos = props.labelFlushInterval().toNanos();
    }

    @KafkaListener(id = "features", topics = Topics.EVENTS, batch = "true")
    void onEvents(List<ConsumerRecord<String, String>> records) {
        List<FeatureUpdater.StreamEvent> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            InteractionEvent event;
            try {
                event = json.readValue(record.value(), InteractionEvent.class);
            } catch (JacksonException | IllegalArgumentException e) {
                deadLetter(record, e.getMessage());
                continue;
            }
            Set<ConstraintViolation<InteractionEvent>> violations = validator.validate(event);
            if (!violations.isEmpty()) {
                deadLetter(record, violations.stream().map(v -> v.getPropertyPath() + ": " + v.getMessage())
                        .sorted().collect(Collectors.joining("; ")));
                continue;
            }
            events.add(new FeatureUpdater.StreamEvent(record.partition(), record.offset(), event));
        }
        updater.apply(events);
        if (System.nanoTime() - lastFlush >= flushIntervalNanos) {
            // a tenth of the consumer's time at most, in short rounds: a backlog of due impressions drains without
            // holding up fresh events for long
            negatives.increment(flusher.flush(updater.eventTimes(), flushIntervalNanos / 10));
            lastFlush = System.nanoTime();
        }
    }

    private void deadLetter(ConsumerRecord<String, String> record, String reason) {
        log.warn("event at {}-{}@{} is invalid, sent to {}: {}", record.topic(), record.partition(),
                record.offset(), Topics.EVENTS_DEAD_LETTER, reason);
        ProducerRecord<String, String> dlt = new ProducerRecord<>(Topics.EVENTS_DEAD_LETTER, record.key(),
                record.value());
        dlt.headers().add(REASON_HEADER, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        kafka.send(dlt).join();
        deadLettered.increment();
    }
}
