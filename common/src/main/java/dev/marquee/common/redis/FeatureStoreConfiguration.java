package dev.marquee.common.redis;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The {@link FeatureStore} bean for every service that reads or writes features; import it in the application. */
@Configuration(proxyBeanMethods = false)
public class FeatureStoreConfiguration {
    @Bean
    FeatureStore featureStore(StringRedisTemplate redis) {
        return new FeatureStore(redis);
    }
}
