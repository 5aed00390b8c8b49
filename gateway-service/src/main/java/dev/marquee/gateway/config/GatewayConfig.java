package dev.marquee.gateway.config;

import dev.marquee.common.web.PooledRestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

@Configuration
class GatewayConfig {
    @Bean
    RestClient retrievalClient(RestClient.Builder builder, GatewayProperties props) {
        return PooledRestClient.create(builder, props.retrievalUrl(), props.retrievalTimeout());
    }

    @Bean
    RestClient rankingClient(RestClient.Builder builder, GatewayProperties props) {
        return PooledRestClient.create(builder, props.rankingUrl(), props.rankingTimeout());
    }
}
