package dev.marquee.gateway.serving;

import dev.marquee.common.serving.ConditionalOnServing;
import dev.marquee.common.serving.ServingMode;
import dev.marquee.common.web.PooledRestClient;
import dev.marquee.gateway.config.GatewayProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * {@code marquee.gateway.serving=remote}: the retrieval and ranking APIs reached over HTTP. (In-process, the
 * retrieval and ranking cores register themselves: their jars' auto-configurations.)
 */
@Configuration
@ConditionalOnServing(ServingMode.REMOTE)
class RemoteServingConfig {
    @Bean
    RemoteRetrieval remoteRetrieval(RestClient.Builder builder, GatewayProperties props) {
        return new RemoteRetrieval(PooledRestClient.create(builder, props.retrievalUrl(), props.retrievalTimeout()));
    }

    @Bean
    RemoteRanking remoteRanking(RestClient.Builder builder, GatewayProperties props) {
        return new RemoteRanking(PooledRestClient.create(builder, props.rankingUrl(), props.rankingTimeout()));
    }
}
