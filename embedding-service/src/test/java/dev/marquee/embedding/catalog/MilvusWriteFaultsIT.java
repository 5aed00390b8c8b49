package dev.marquee.embedding.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.FaultGate.Mode;
import dev.marquee.common.it.ItemCollections;
import dev.marquee.common.it.NeedsInfrastructure;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Counter;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedding service's catalog consumer with its Milvus behind a {@link FaultGate}, connected before the fault
 * starts: catalog records that arrive while Milvus is down, hung or slow are all searchable within a minute of its
 * return. While it hangs, writes fail at the RPC deadline (counted in {@link Metrics#EMBEDDING_WRITE_FAILURES})
 * instead of holding the consumer until the connection drops.
 */
@SpringBootTest(properties = {
        "marquee.embedding.model-dir=../models/tiny-t5",
        "marquee.embedding.collection=" + MilvusWriteFaultsIT.ALIAS,
        "marquee.embedding.milvus-deadline=2s",
        "marquee.embedding.retired-collection-grace=0s",
        "spring.kafka.consumer.group-id=" + MilvusWriteFaultsIT.ALIAS})
@NeedsInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MilvusWriteFaultsIT {
    static final String ALIAS = "milvus_faults_embedding";
    private static final URI MILVUS_URI = URI.create(System.getenv().getOrDefault("MILVUS_URI",
            "http://127.0.0.1:19530"));
    private static final FaultGate MILVUS = FaultGate.to(MILVUS_URI.getHost(), MILVUS_URI.getPort(), Mode.OPEN);
    private static final int ITEMS = 20;
    private final MilvusClientV2 direct = new MilvusClientV2(ConnectConfig.builder().uri(MILVUS_URI.toString())
            .build());

    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;
    @Autowired
    ItemIndex index;
    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void milvusBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("marquee.embedding.milvus-uri", () -> "http://127.0.0.1:" + MILVUS.port());
    }

    @AfterAll
    void dropTheIndex() {
        String served = index.currentCollection();
        direct.dropAlias(DropAliasReq.builder().alias(ALIAS).build());
        direct.dropCollection(DropCollectionReq.builder().collectionName(served).build());
        direct.close();
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"DOWN", "HUNG", "SLOW"})
    void catalogRecordsArrivingWhileMilvusFailsAreAllSearchableSoonAfterItIsBack(Mode mode) throws Exception {
        String run = mode + "-" + UUID.randomUUID().toString().substring(0, 8);
        // the consumer is running and writing before the fault starts
        publish(item("probe-" + run));
        awaitSearchable(List.of("probe-" + run), Duration.ofSeconds(120));

        List<String> ids = new ArrayList<>();
        Counter failedWrites = meters.counter(Metrics.EMBEDDING_WRITE_FAILURES);
        if (mode == Mode.SLOW) {
            MILVUS.slow(Duration.ofMillis(100));
        } else {
            MILVUS.set(mode);
        }
        try {
            for (int i = 0; i < ITEMS; i++) {
                ids.add("mf-" + run + "-" + i);
                publish(item(ids.get(i)));
            }
            double failedBefore = failedWrites.count();
            Thread.sleep(6000); // the consumer fails, waits or crawls meanwhile
            if (mode == Mode.HUNG) {
                assertThat(failedWrites.count()).as("writes that failed at the 2 s deadline while Milvus hung")
                        .isGreaterThan(failedBefore);
            }
        } finally {
            MILVUS.set(Mode.OPEN);
        }
        awaitSearchable(ids, Duration.ofSeconds(60));
    }

    private static CatalogItem item(String id) {
        return new CatalogItem(id, "fault tolerant tent " + id, "a tent", "outdoor", 10.0);
    }

    private void publish(CatalogItem item) throws Exception {
        kafka.send(Topics.CATALOG, item.itemId(), json.writeValueAsString(item)).get();
    }

    private void awaitSearchable(List<String> ids, Duration within) throws InterruptedException {
        // the service opens its index (creates the alias) once its background connection is made
        assertThat(ItemCollections.awaitSearchable(direct, ALIAS, ids, within))
                .as("items searchable within %s", within).isEqualTo(ids.size());
    }
}
