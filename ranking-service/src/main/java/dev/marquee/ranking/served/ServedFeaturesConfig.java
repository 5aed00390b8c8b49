package dev.marquee.ranking.served;

import dev.marquee.common.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;

/** Ranking owns the topic it writes; KafkaAdmin creates it at startup if missing (as ingest does for its topics). */
@Configuration
class ServedFeaturesConfig {
    @Bean
    NewTopic servedFeaturesTopic(ServedFeaturesProperties props) {
        return TopicBuilder.name(Topics.SERVED_FEATURES).partitions(props.partitions()).replicas(1).build();
    }
}
