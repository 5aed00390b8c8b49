package dev.marquee.embedding.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.milvus.ItemCollectionSchema;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Real Milvus, Redis and T5 (tiny): re-embedding the catalog must never interrupt or empty the searches. */
@NeedsInfrastructure
class ReindexWhileSearchingIT {
    private final String alias = "test_alias_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final MilvusClientV2 milvus = new MilvusClientV2(ConnectConfig.builder()
            .uri(System.getenv("MILVUS_URI")).build());
    private final LettuceConnectionFactory redisFactory = new LettuceConnectionFactory(
            new RedisStandaloneConfiguration("127.0.0.1", Integer.parseInt(System.getenv("REDIS_PORT"))));
    private ItemIndex index;

    @AfterEach
    void cleanUp() {
        String last = index == null ? null : index.currentCollection();
        milvus.dropAlias(DropAliasReq.builder().alias(alias).build());
        if (last != null) {
            milvus.dropCollection(DropCollectionReq.builder().collectionName(last).build());
        }
        milvus.close();
        redisFactory.destroy();
    }

    @Test
    void searchesNeverFailNorComeBackEmptyWhileTheCatalogIsReEmbeddedAndTheAliasSwapped() throws Exception {
        redisFactory.afterPropertiesSet();
        StringRedisTemplate redis = new StringRedisTemplate(redisFactory);
        try (T5Encoder encoder = T5Encoder.load(Path.of("..", "models", "tiny-t5"), "cpu");
             EncodeBatcher batcher = new EncodeBatcher(encoder::encode, 32, Duration.ofMillis(2), 64)) {
            index = new ItemIndex(milvus, alias, encoder.dimension(), Duration.ofSeconds(2));
            String first = index.currentCollection();
            CatalogEmbedder embedder = new CatalogEmbedder(batcher, encoder, index, new FeatureStore(redis),
                    new SimpleMeterRegistry());
            List<CatalogItem> catalog = new ArrayList<>();
            String[] words = {"hiking tent trail", "espresso grinder kettle", "guitar amplifier chord",
                "puzzle blocks teddy"};
            for (int i = 0; i < 240; i++) {
                catalog.add(new CatalogItem("rx-" + alias + "-" + i, words[i % 4] + " " + i, "item " + i,
                        "c" + (i % 4), (double) i));
            }
            embedder.embed(catalog);
            float[] query = encoder.encode(List.of("hiking tent"))[0];
            awaitNonEmpty(query);

            AtomicBoolean reading = new AtomicBoolean(true);
            AtomicInteger searches = new AtomicInteger();
            AtomicInteger empty = new AtomicInteger();
            List<Throwable> errors = new ArrayList<>();
            Thread reader = new Thread(() -> {
                while (reading.get()) {
                    try {
                        if (search(query).isEmpty()) {
                            empty.incrementAndGet();
                        }
                        searches.incrementAndGet();
                    } catch (RuntimeException e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                }
            });
            reader.start();

            Reindexer reindexer = new Reindexer(index, embedder, () -> catalog, new SimpleMeterRegistry());
            Reindexer.Status started = reindexer.start();
            assertThat(started.state()).isEqualTo("running");
            Instant deadline = Instant.now().plusSeconds(120);
            while (!reindexer.status().state().equals("done")) {
                assertThat(reindexer.status().state()).isNotEqualTo("failed");
                assertThat(Instant.now()).isBefore(deadline);
                Thread.sleep(100);
            }
            // the replaced collection goes after its grace; searches go on across the drop
            while (milvus.hasCollection(HasCollectionReq.builder().collectionName(first).build())) {
                assertThat(Instant.now()).isBefore(deadline);
                Thread.sleep(100);
            }
            Thread.sleep(1000);
            reading.set(false);
            reader.join();

            assertThat(errors).isEmpty();
            assertThat(empty.get()).isZero();
            assertThat(searches.get()).isGreaterThan(20);
            assertThat(reindexer.status().done()).isEqualTo(catalog.size());
            assertThat(index.currentCollection()).isEqualTo(started.collection()).isNotEqualTo(first);
            assertThat(milvus.hasCollection(HasCollectionReq.builder().collectionName(first).build())).isFalse();
            assertThat(search(query)).isNotEmpty();
        }
    }

    private List<Object> search(float[] query) {
        return milvus.search(SearchReq.builder().collectionName(alias).annsField(ItemCollectionSchema.VECTOR)
                        .data(List.of(new FloatVec(query))).topK(10).build())
                .getSearchResults().get(0).stream().map(r -> r.getId()).toList();
    }

    private void awaitNonEmpty(float[] query) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (search(query).isEmpty()) {
            assertThat(Instant.now()).isBefore(deadline);
            Thread.sleep(200);
        }
    }
}
