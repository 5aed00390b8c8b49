package dev.marquee.retrieval.config;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class RetrievalConfig {
    @Bean(destroyMethod = "close")
    MilvusClientV2 milvus(RetrievalProperties props) {
        return new MilvusClientV2(ConnectConfig.builder().uri(props.milvusUri()).build());
    }
}
