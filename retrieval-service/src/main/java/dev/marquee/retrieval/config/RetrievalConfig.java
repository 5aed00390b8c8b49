package dev.marquee.retrieval.config;

import dev.marquee.common.web.PooledRestClient;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

@Configuration
class RetrievalConfig {
    @Bean(destroyMethod = "close")
    MilvusClientV2 milvus(RetrievalProperties props) {
        return new MilvusClientV2(ConnectConfig.builder().uri(props.milvusUri()).build());
    }

    /** The embedding service, for stated interests; its timeout is the interests source's budget. */
    @Bean
    RestClient embeddingClient(RestClient.Builder builder, RetrievalProperties props) {
        return PooledRestClient.create(builder, props.embeddingUrl(), props.interestsBudget());
    }
}
