package dev.marquee.retrieval.config;

import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.PopularList;
import dev.marquee.common.web.PooledRestClient;
import dev.marquee.common.milvus.MilvusConnection;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

@Configuration
class RetrievalConfig {
    /** Connected in the background, every call under {@code milvus-deadline}: see {@link MilvusConnection}. */
    @Bean(destroyMethod = "close")
    MilvusConnection milvus(RetrievalProperties props) {
        return new MilvusConnection(() -> new MilvusClientV2(ConnectConfig.builder().uri(props.milvusUri())
                .connectTimeoutMs(props.milvusConnectTimeout().toMillis())
                .rpcDeadlineMs(props.milvusDeadline().toMillis()).build()), props.milvusReconnect(),
                props.milvusUri());
    }

    /**
     * The global popular list and the per-category trending/popular lists, in memory for {@code popular-cache-ttl}:
     * shared by the popular and category sources.
     */
    @Bean
    PopularList popularList(FeatureStore store, RetrievalProperties props) {
        return new PopularList(store, props.popularCacheTtl());
    }

    /** The embedding service, for stated interests; its timeout is the interests source's budget. */
    @Bean
    RestClient embeddingClient(RestClient.Builder builder, RetrievalProperties props) {
        return PooledRestClient.create(builder, props.embeddingUrl(), props.interestsBudget());
    }
}
