package dev.marquee.embedding.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.FaultGate.Mode;
import dev.marquee.common.it.ItemCollections;
import dev.marquee.common.it.NeedsInfrastructure;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DescribeAliasReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedding service started while its Milvus is down (behind a {@link FaultGate} that closes every connection):
 * it starts, {@code /embed} answers, the index's endpoints answer 503; once Milvus answers, the index opens by itself
 * and a catalog item that arrived meanwhile becomes searchable.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.embedding.model-dir=../models/tiny-t5",
        "marquee.embedding.collection=" + MilvusDownAtStartIT.ALIAS,
        "marquee.embedding.milvus-connect-timeout=2s",
        "marquee.embedding.milvus-reconnect=300ms",
        "spring.kafka.consumer.group-id=" + MilvusDownAtStartIT.ALIAS})
@NeedsInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MilvusDownAtStartIT {
    static final String ALIAS = "milvus_down_at_start";
    private static final URI MILVUS_URI = URI.create(System.getenv().getOrDefault("MILVUS_URI",
            "http://127.0.0.1:19530"));
    private static final FaultGate MILVUS = FaultGate.to(MILVUS_URI.getHost(), MILVUS_URI.getPort(), Mode.DOWN);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final MilvusClientV2 direct = new MilvusClientV2(ConnectConfig.builder().uri(MILVUS_URI.toString())
            .build());

    @Autowired
    Environment env;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;

    @DynamicPropertySource
    static void milvusBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("marquee.embedding.milvus-uri", () -> "http://127.0.0.1:" + MILVUS.port());
    }

    @AfterAll
    void dropTheIndex() throws Exception {
        MILVUS.set(Mode.OPEN);
        String served = direct.describeAlias(DescribeAliasReq.builder().alias(ALIAS).build()).getCollectionName();
        direct.dropAlias(DropAliasReq.builder().alias(ALIAS).build());
        direct.dropCollection(DropCollectionReq.builder().collectionName(served).build());
        direct.close();
        MILVUS.close();
    }

    @Test
    void startsWithoutMilvusEmbedsAnswers503ForTheIndexAndIndexesWhatArrivedOnceMilvusAnswers() throws Exception {
        assertThat(call("POST", "/embed", "{\"texts\":[\"a warm tent\"]}").statusCode()).isEqualTo(200);
        HttpResponse<String> collections = call("GET", "/collections", null);
        assertThat(collections.statusCode()).as(collections.body()).isEqualTo(503);
        assertThat(collections.body()).contains("Milvus");

        String id = "down-at-start-" + UUID.randomUUID().toString().substring(0, 8);
        CatalogItem item = new CatalogItem(id, "a tent that waited for Milvus", "tent", "outdoor", 10.0);
        kafka.send(Topics.CATALOG, id, json.writeValueAsString(item)).get();
        Thread.sleep(2000); // written while Milvus is down: fails, and is retried

        MILVUS.set(Mode.OPEN);
        // the index opens (creates the alias) on the consumer's next try
        long found = ItemCollections.awaitSearchable(direct, ALIAS, List.of(id), Duration.ofSeconds(90));
        assertThat(found).as("the item searchable within 90 s of Milvus answering").isEqualTo(1);
        assertThat(call("GET", "/collections", null).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + env.getProperty("local.server.port") + path)).timeout(Duration.ofSeconds(30));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
