package dev.marquee.ingest.config;

import dev.marquee.common.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/** Ingest owns the topics it writes; KafkaAdmin creates them at startup if missing. */
@Configuration
class KafkaTopicsConfig {
    @Bean
    NewTopic eventsTopic(IngestProperties props) {
        // the source of truth of the feature store, which is rebuilt from it when lost (ReplayMarks)
        long retentionMs = props.eventsRetention() == null ? -1 : props.eventsRetention().toMillis();
        return TopicBuilder.name(Topics.EVENTS).partitions(props.partitions()).replicas(1)
                .config(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retentionMs)).build();
    }

    @Bean
    NewTopic catalogTopic(IngestProperties props) {
        return TopicBuilder.name(Topics.CATALOG).partitions(props.partitions()).replicas(1)
                .config(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT).build();
    }

    @Bean
    NewTopic examplesTopic(IngestProperties props) {
        return TopicBuilder.name(Topics.EXAMPLES).partitions(props.partitions()).replicas(1).build();
    }

    @Bean
    NewTopic deadLetterTopic() {
        return TopicBuilder.name(Topics.EVENTS_DEAD_LETTER).partitions(1).replicas(1).build();
    }
}
