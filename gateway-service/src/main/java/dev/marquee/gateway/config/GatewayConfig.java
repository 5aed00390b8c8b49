package dev.marquee.gateway.config;

import dev.marquee.common.redis.FeatureStore;
import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

@Configuration
class GatewayConfig {
    @Bean
    FeatureStore featureStore(StringRedisTemplate redis) {
        return new FeatureStore(redis);
    }

    @Bean
    RestClient retrievalClient(RestClient.Builder builder, GatewayProperties props) {
        return client(builder, props.retrievalUrl(), props.retrievalTimeout());
    }

    @Bean
    RestClient rankingClient(RestClient.Builder builder, GatewayProperties props) {
        return client(builder, props.rankingUrl(), props.rankingTimeout());
    }

    private static RestClient client(RestClient.Builder builder, String baseUrl, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(timeout);
        return builder.clone().baseUrl(baseUrl).requestFactory(factory).build();
    }
}
