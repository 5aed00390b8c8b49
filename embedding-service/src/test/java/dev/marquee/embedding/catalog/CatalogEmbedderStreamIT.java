package dev.marquee.embedding.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.milvus.ItemCollectionSchema;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.milvus.v2.service.vector.request.QueryReq;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.ClosedPort;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Real Milvus and Redis, tiny T5: the asynchronous write stream the catalog consumer acknowledges from completes in
 * submission order, and after a failed write refuses later ones (so no later offset can be committed) until cleared.
 */
@NeedsInfrastructure
class CatalogEmbedderStreamIT {
    private final String alias = "test_stream_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final MilvusClientV2 milvus = new MilvusClientV2(ConnectConfig.builder()
            .uri(System.getenv("MILVUS_URI")).build());
    private final List<LettuceConnectionFactory> factories = new ArrayList<>();
    private ItemIndex index;

    @AfterEach
    void cleanUp() {
        if (index != null) {
            String physical = index.currentCollection();
            milvus.dropAlias(DropAliasReq.builder().alias(alias).build());
            milvus.dropCollection(DropCollectionReq.builder().collectionName(physical).build());
        }
        milvus.close();
        factories.forEach(LettuceConnectionFactory::destroy);
    }

    @Test
    void writesCompleteInSubmissionOrderAndReachMilvusAndRedisWithTheActiveFlag() throws Exception {
        StringRedisTemplate redis = redis(Integer.parseInt(System.getenv("REDIS_PORT")));
        try (T5Encoder encoder = T5Encoder.load(Path.of("..", "models", "tiny-t5"), "cpu");
             EncodeBatcher batcher = new EncodeBatcher(encoder::encode, 16, Duration.ofMillis(1), 64)) {
            index = new ItemIndex(milvus, alias, encoder.dimension(), Duration.ZERO);
            // small write groups and one queued group: the caller is pushed back while earlier polls are written
            CatalogEmbedder embedder = new CatalogEmbedder(batcher, encoder, index, new FeatureStore(redis),
                    new SimpleMeterRegistry(), 24, 1);
            CatalogEmbedder.WriteStream stream = embedder.newStream();
            List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            List<List<CatalogItem>> polls = new ArrayList<>();
            for (int poll = 0; poll < 4; poll++) {
                List<CatalogItem> items = items("ok" + poll, 50);
                polls.add(items);
                int n = poll;
                futures.add(stream.embedAsync(items).thenRun(() -> completed.add(n)));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
            assertThat(completed).containsExactly(0, 1, 2, 3);
            assertThat(stream.failure()).isNull();
            FeatureStore store = new FeatureStore(redis);
            for (List<CatalogItem> items : polls) {
                assertThat(milvusCount(items)).isEqualTo(items.size());
                var stored = store.items(items.stream().map(CatalogItem::itemId).toList());
                assertThat(stored.values()).filteredOn(f -> !f.active()).extracting(f -> f.itemId())
                        .containsExactlyElementsOf(items.stream().filter(i -> !i.isActive())
                                .map(CatalogItem::itemId).toList());
                for (CatalogItem item : items) {
                    assertThat(redis.opsForHash().hasKey(RedisKeys.item(item.itemId()), RedisKeys.ITEM_VECTOR))
                            .as(item.itemId()).isTrue();
                }
            }
            // the catalog offers the withdrawn items of the first poll again, then withdraws them once more
            List<CatalogItem> withdrawn = polls.get(0).stream().filter(i -> !i.isActive()).toList();
            List<String> ids = withdrawn.stream().map(CatalogItem::itemId).toList();
            stream.embedAsync(withdrawn.stream().map(CatalogEmbedderStreamIT::offered).toList()).join();
            assertThat(store.items(ids).values()).hasSize(ids.size()).allMatch(f -> f.active());
            stream.embedAsync(withdrawn).join();
            assertThat(store.items(ids).values()).hasSize(ids.size()).noneMatch(f -> f.active());
        }
    }

    @Test
    void everyWriteOfItemVectorsAdvancesTheCatalogVersionAfterMilvusHasThem() throws Exception {
        StringRedisTemplate redis = redis(Integer.parseInt(System.getenv("REDIS_PORT")));
        FeatureStore store = new FeatureStore(redis);
        try (T5Encoder encoder = T5Encoder.load(Path.of("..", "models", "tiny-t5"), "cpu");
             EncodeBatcher batcher = new EncodeBatcher(encoder::encode, 16, Duration.ofMillis(1), 64)) {
            index = new ItemIndex(milvus, alias, encoder.dimension(), Duration.ZERO);
            CatalogEmbedder embedder = new CatalogEmbedder(batcher, encoder, index, store, new SimpleMeterRegistry(),
                    64, 1);
            long before = store.catalogVersion();
            List<CatalogItem> items = items("v", 10);
            embedder.embed(items);

            long after = store.catalogVersion();
            assertThat(after).as("other tests may write meanwhile: at least one step").isGreaterThan(before);
            assertThat(milvusCount(items)).isEqualTo(items.size());
            embedder.catalogChanged(); // a swap of the served collection
            assertThat(store.catalogVersion()).isGreaterThan(after);
        }
    }

    private static CatalogItem offered(CatalogItem i) {
        return new CatalogItem(i.itemId(), i.title(), i.description(), i.category(), i.price(), i.tags(), true);
    }

    @Test
    void afterAFailedWriteLaterWritesAreRefusedUntilTheFailureIsCleared() throws Exception {
        StringRedisTemplate deadRedis = redis(ClosedPort.number());
        try (T5Encoder encoder = T5Encoder.load(Path.of("..", "models", "tiny-t5"), "cpu");
             EncodeBatcher batcher = new EncodeBatcher(encoder::encode, 16, Duration.ofMillis(1), 64)) {
            index = new ItemIndex(milvus, alias, encoder.dimension(), Duration.ZERO);
            CatalogEmbedder embedder = new CatalogEmbedder(batcher, encoder, index, new FeatureStore(deadRedis),
                    new SimpleMeterRegistry(), 64, 2);
            CatalogEmbedder.WriteStream stream = embedder.newStream();
            List<CatalogItem> a = items("a", 20);
            List<CatalogItem> b = items("b", 20);
            CompletableFuture<Void> first = stream.embedAsync(a);
            CompletableFuture<Void> second = stream.embedAsync(b);
            assertThatThrownBy(first::join).isInstanceOf(CompletionException.class);
            assertThatThrownBy(second::join).hasMessageContaining("an earlier write of this stream failed");
            assertThat(stream.failure()).isNotNull();
            // a's Milvus upsert ran (Redis comes after it); b was refused before touching any store
            assertThat(milvusCount(a)).isEqualTo(a.size());
            assertThat(milvusCount(b)).isZero();
            assertThatThrownBy(stream.embedAsync(items("c0", 5))::join)
                    .hasMessageContaining("an earlier write of this stream failed");

            stream.clearFailure();
            List<CatalogItem> c = items("c", 20);
            assertThatThrownBy(stream.embedAsync(c)::join)
                    .satisfies(e -> assertThat(e.getCause().getMessage()).doesNotContain("earlier write"));
            assertThat(milvusCount(c)).isEqualTo(c.size());
        }
    }

    private StringRedisTemplate redis(int port) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration("127.0.0.1", port));
        factory.afterPropertiesSet();
        factories.add(factory);
        return new StringRedisTemplate(factory);
    }

    private List<CatalogItem> items(String prefix, int n) {
        List<CatalogItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // every tenth item is withdrawn from sale: stored, never recommended
            items.add(new CatalogItem("st-" + alias + "-" + prefix + "-" + i, "hiking tent " + prefix + " " + i,
                    "trail lantern " + i, "c" + (i % 3), 10.0 + i, null, i % 10 == 9 ? false : null));
        }
        return items;
    }

    private long milvusCount(List<CatalogItem> items) {
        String ids = String.join(", ", items.stream().map(i -> "\"" + i.itemId() + "\"").toList());
        return milvus.query(QueryReq.builder().collectionName(index.currentCollection())
                        .filter(ItemCollectionSchema.ITEM_ID + " in [" + ids + "]")
                        .outputFields(List.of(ItemCollectionSchema.ITEM_ID))
                        .consistencyLevel(ConsistencyLevel.STRONG).build())
                .getQueryResults().size();
    }
}
