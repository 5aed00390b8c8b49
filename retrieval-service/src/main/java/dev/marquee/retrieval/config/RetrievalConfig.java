package dev.marquee.retrieval.config;

import dev.marquee.common.redis.FeatureStore;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

@Configuration
class RetrievalConfig {
    @Bean(destroyMethod = "close")
    MilvusClientV2 milvus(RetrievalProperties props) {
        return new MilvusClientV2(ConnectConfig.builder().uri(props.milvusUri()).build());
    }

    @Bean
    FeatureStore featureStore(StringRedisTemplate redis) {
        return new FeatureStore(redis);
    }
}
