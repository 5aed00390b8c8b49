package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.redis.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway serving in-process against the real Redis and Milvus (the retrieval and ranking services are not
 * running): candidates from the retrieval service's sources and scores from the ranking service's ranker, both in
 * this JVM, with the champion model read from a registry folder another process promotes into.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=in-process",
        "marquee.gateway.retrieval-url=http://127.0.0.1:9",
        "marquee.gateway.ranking-url=http://127.0.0.1:9",
        "marquee.gateway.exploration-slots=0",
        "marquee.gateway.popular-cache-ttl=0s",
        "marquee.retrieval.popular-cache-ttl=0s",
        "marquee.ranking.item-cache-ttl=0s",
        "marquee.ranking.reload-interval=200ms"})
@NeedsInfrastructure
class InProcessServingIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path MODELS = TestModels.registryDir();
    private final List<String> items = new ArrayList<>();
    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    JsonMapper json;

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry registry) {
        registry.add("marquee.ranking.model-dir", MODELS::toString);
    }

    @AfterEach
    void removeItems() {
        items.forEach(id -> {
            redis.opsForZSet().remove(RedisKeys.POPULAR, id);
            redis.delete(RedisKeys.item(id));
        });
    }

    @Test
    void servesRetrievalOrderFlaggedDegradedUntilAModelIsPromotedThenRanksWithItWithoutAFailedRequest()
            throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 12; i++) {
            String id = "inproc-" + i + "-" + UUID.randomUUID();
            items.add(id);
            TestItems.item(redis, id, "cat-" + (i % 3), 10 + i, random);
            redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e13 - i);
        }
        String user = "inproc-user-" + UUID.randomUUID();

        // no champion in the registry yet: retrieval's candidates in retrieval order, flagged
        JsonNode unranked = recommend(user);
        assertThat(unranked.get("degraded").asBoolean()).isTrue();
        assertThat(unranked.get("degradedReasons").toString()).contains("ranking unavailable (NoModelException)");
        assertThat(ids(unranked)).containsExactlyElementsOf(items.subList(0, 5));
        assertThat(unranked.get("items").get(0).get("source").asString()).isEqualTo("Popular");

        // another process (the ranking service's trainer) promotes a model into the shared registry
        String version = "inproc-" + UUID.randomUUID();
        TestModels.promote(MODELS, json, version);

        Instant deadline = Instant.now().plusSeconds(20);
        JsonNode ranked;
        int answers = 0;
        do {
            ranked = recommend(user); // asserts 200 on every call during the swap
            answers++;
        } while (!version.equals(ranked.path("modelVersion").asString(null)) && Instant.now().isBefore(deadline));
        assertThat(ranked.path("modelVersion").asString(null)).as("after %d answers", answers).isEqualTo(version);
        assertThat(ranked.get("degradedReasons").toString()).doesNotContain("ranking unavailable");
        assertThat(ids(ranked)).hasSize(5).allSatisfy(id -> assertThat(items).contains(id));
        ranked.get("items").forEach(i -> assertThat(i.get("title").asString()).startsWith("t-inproc-"));
    }

    private JsonNode recommend(String user) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + env.getProperty("local.server.port") + "/recommend?userId=" + user + "&k=5")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private static List<String> ids(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("items").forEach(i -> out.add(i.get("itemId").asString()));
        return out;
    }
}
