package dev.marquee.common.redis;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The {@link FeatureStore} and {@link SeedNeighbours} beans for every service that reads or writes features; import it
 * in the application.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SeedNeighbours.Properties.class)
public class FeatureStoreConfiguration {
    @Bean
    FeatureStore featureStore(StringRedisTemplate redis) {
        return new FeatureStore(redis);
    }

    @Bean
    SeedNeighbours seedNeighbours(FeatureStore store, SeedNeighbours.Properties props) {
        return SeedNeighbours.of(store, props);
    }

    /**
     * Every {@link FeatureStore} call is one pipeline: its commands are written to Redis together when it closes.
     * Spring Data's default policy flushes each command as it is queued, one socket write per command (a profile of
     * the gateway at 200 requests/s: a third of Lettuce's event-loop thread in {@code write}, ~30 commands per
     * request); pipelines run on a dedicated pooled connection, so holding their commands back delays no one else.
     */
    @Bean
    static BeanPostProcessor pipelinesFlushOnClose() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof LettuceConnectionFactory lettuce) {
                    lettuce.setPipeliningFlushPolicy(LettuceConnection.PipeliningFlushPolicy.flushOnClose());
                }
                return bean;
            }
        };
    }
}
