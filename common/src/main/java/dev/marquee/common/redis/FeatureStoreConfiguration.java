package dev.marquee.common.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
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
     * While the connection to Redis is down, commands fail at once instead of queueing until it is back (Lettuce's
     * default): a request then loses microseconds to an outage, not its whole budget, and the stream consumer's own
     * retries (with their back-off) decide when to try again (FaultMatrixIT, ConsumerRedisFaultsIT).
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer failFastWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /**
     * Reconnects within a second of Redis being back: Lettuce's default back-off grows to 30 s, which kept the stream
     * consumer from writing long after a short outage (ConsumerRedisFaultsIT).
     */
    @Bean
    ClientResourcesBuilderCustomizer quickReconnect() {
        return resources -> resources.reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1),
                2, TimeUnit.MILLISECONDS));
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
