package dev.marquee.ingest.config;

import dev.marquee.common.redis.FeatureStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

@Configuration
class RedisConfig {
    @Bean
    FeatureStore featureStore(StringRedisTemplate redis) {
        return new FeatureStore(redis);
    }
}
