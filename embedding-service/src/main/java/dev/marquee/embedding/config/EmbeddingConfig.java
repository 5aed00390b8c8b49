package dev.marquee.embedding.config;

import dev.marquee.common.milvus.MilvusConnection;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import java.nio.file.Path;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class EmbeddingConfig {
    @Bean(destroyMethod = "close")
    T5Encoder encoder(EmbeddingProperties props) throws Exception {
        return T5Encoder.load(Path.of(props.modelDir()), props.device(),
                new T5Encoder.Options(props.fp16(), props.bucketing(), props.bucketOverheadTokens()));
    }

    @Bean(destroyMethod = "close")
    EncodeBatcher encodeBatcher(T5Encoder encoder, EmbeddingProperties props) {
        return new EncodeBatcher(encoder::encode, props.maxBatchSize(), props.maxWait(), props.queueCapacity());
    }

    /**
     * Connected in the background (the service starts, and {@code /embed} answers, while Milvus does not), every call
     * under {@code milvus-deadline}, so a hung Milvus cannot hold the catalog consumer.
     */
    @Bean(destroyMethod = "close")
    MilvusConnection milvus(EmbeddingProperties props) {
        return new MilvusConnection(() -> new MilvusClientV2(ConnectConfig.builder().uri(props.milvusUri())
                .connectTimeoutMs(props.milvusConnectTimeout().toMillis())
                .rpcDeadlineMs(props.milvusDeadline().toMillis()).build()), props.milvusReconnect(),
                props.milvusUri());
    }
}
