package dev.marquee.ingest.config;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What the stream consumer does when a batch cannot be applied. Unreadable and invalid records never get here (the
 * listener dead-letters them); what does is an outage (Redis refusing writes, Kafka not acknowledging examples). Spring
 * Kafka's default would retry ten times within milliseconds and then skip the batch, committing its offsets: updates
 * lost. Here the batch is retried with exponential back-off (0.1 s doubling to 5 s) for as long as the outage lasts;
 * nothing is skipped, and the event-id dedup makes the retries harmless.
 */
@Configuration
class ConsumerErrorConfig {
    private static final Logger log = LoggerFactory.getLogger(ConsumerErrorConfig.class);

    @Bean
    CommonErrorHandler kafkaErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(100, 2.0);
        backOff.setMaxInterval(5_000);
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        DefaultErrorHandler handler = new DefaultErrorHandler((record, e) -> {
            throw new IllegalStateException("unreachable: retries never end", e);
        }, backOff);
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception e, int attempt) {
                log.warn("record not applied (attempt {}), retrying: {}", attempt, rootCause(e));
            }

            @Override
            public void failedDelivery(ConsumerRecords<?, ?> records, Exception e, int attempt) {
                log.warn("batch of {} not applied (attempt {}), retrying: {}", records.count(), attempt, rootCause(e));
            }
        });
        return handler;
    }

    private static String rootCause(Exception e) {
        return org.springframework.core.NestedExceptionUtils.getMostSpecificCause(e).toString();
    }
}
