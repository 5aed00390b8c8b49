package dev.marquee.embedding.config;

import dev.marquee.common.milvus.ItemCollectionSchema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param modelDir      DJL model directory made by tools/t5/export_t5.py (default: the committed tiny T5)
 * @param device        auto (CUDA when present, else CPU), cpu or cuda
 * @param milvusUri     Milvus proxy address
 * @param milvusConnectTimeout how long one attempt to connect to Milvus may take (default 10s), off the request path
 * @param milvusReconnect how long after a failed attempt to connect to Milvus the next one starts (default 1s)
 * @param milvusDeadline every Milvus call's RPC deadline (default 30s): a hung Milvus fails a catalog write after
 *                      this long, and the catalog consumer re-reads and retries it, instead of waiting forever
 * @param collection    Milvus collection (alias) that holds item vectors
 * @param maxEmbedTexts most texts accepted by one /embed call
 * @param maxTextLength longest text accepted by /embed, in characters
 * @param maxBatchSize  most texts in one forward pass of the micro-batcher (default 32)
 * @param maxWait       how long the micro-batcher waits to fill a batch (default 5 ms)
 * @param queueCapacity requests the micro-batcher holds before pushing back (default 256)
 * @param fp16          on CUDA, run the half-precision graph (model-cuda-fp16.pt, pooling in float32); ignored on
 *                      CPU (logged). Default false
 * @param bucketing     run each micro-batch in token-length buckets to cut padding (default: see docs/benchmarks.md)
 * @param bucketOverheadTokens the cost of one extra forward pass in padded tokens, for choosing buckets
 * @param writeBatchSize rows per Milvus upsert / Redis pipeline when catalog items are written (default 512)
 * @param writesInFlight write groups queued behind the one being written before the consumer waits (default 2)
 * @param retiredCollectionGrace how long after a re-embedding moved the alias the replaced collection is dropped
 *                      (default 10s; 0: at once): searches sent just before the move still find it
 */
@Validated
@ConfigurationProperties("marquee.embedding")
public record EmbeddingProperties(
        @DefaultValue("models/tiny-t5") @NotBlank String modelDir,
        @DefaultValue("auto") @Pattern(regexp = "auto|cpu|cuda") String device,
        @DefaultValue("http://127.0.0.1:19530") @NotBlank String milvusUri,
        @DefaultValue("10s") @NotNull Duration milvusConnectTimeout,
        @DefaultValue("1s") @NotNull Duration milvusReconnect,
        @DefaultValue("30s") @NotNull Duration milvusDeadline,
        @DefaultValue(ItemCollectionSchema.DEFAULT_COLLECTION) @NotBlank String collection,
        @DefaultValue("64") @Min(1) @Max(1024) int maxEmbedTexts,
        @DefaultValue("2000") @Min(1) int maxTextLength,
        @DefaultValue("32") @Min(1) @Max(1024) int maxBatchSize,
        @DefaultValue("5ms") @NotNull Duration maxWait,
        @DefaultValue("256") @Min(1) int queueCapacity,
        @DefaultValue("false") boolean fp16,
        @DefaultValue(EmbeddingProperties.BUCKETING_DEFAULT) boolean bucketing,
        @DefaultValue(EmbeddingProperties.BUCKET_OVERHEAD_DEFAULT) @Min(0) int bucketOverheadTokens,
        @DefaultValue("512") @Min(1) @Max(10000) int writeBatchSize,
        @DefaultValue("2") @Min(1) @Max(64) int writesInFlight,
        @DefaultValue("10s") @NotNull Duration retiredCollectionGrace) {
    /** Default of {@code marquee.embedding.bucketing}, from the measurement in docs/benchmarks.md. */
    public static final String BUCKETING_DEFAULT = "true";
    public static final String BUCKET_OVERHEAD_DEFAULT = "64";
}
