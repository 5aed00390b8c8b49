package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ranking.model.ModelMetadata;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.model.RankingModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.RedisCallback;
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
@EnabledIfEnvironmentVariable(named = "MARQUEE_INFRA", matches = "up")
class InProcessServingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path MODELS = tempDir();
    private final List<String> items = new ArrayList<>();
    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    JsonMapper json;

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("gateway-models");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

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
            item(id, "cat-" + (i % 3), 10 + i, random);
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
        new ModelRegistry(new dev.marquee.ranking.config.RankingProperties(MODELS.toString(), null,
                java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Duration.ZERO), json).promote(model(version));

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

    /** An item as the embedder and the stream consumer write it (title, category, price, vector). */
    private void item(String id, String category, double price, Random random) {
        String key = RedisKeys.item(id);
        redis.opsForHash().putAll(key, Map.of(RedisKeys.ITEM_CATEGORY, category, RedisKeys.ITEM_TITLE, "t-" + id,
                RedisKeys.ITEM_PRICE, Double.toString(price)));
        float[] vector = new float[16];
        for (int d = 0; d < vector.length; d++) {
            vector[d] = (float) random.nextGaussian();
        }
        redis.execute((RedisCallback<Object>) c -> c.hashCommands().hSet(FeatureStore.bytes(key),
                FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(Vectors.normalized(vector))));
    }

    /** A real XGBoost model over the server's feature list (label decided by the price feature's sign). */
    private static RankingModel model(String version) throws Exception {
        int w = FeatureAssembler.width();
        int n = 300;
        Random r = new Random(11);
        float[] x = new float[n * w];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < w; j++) {
                x[i * w + j] = (float) r.nextGaussian();
            }
            y[i] = x[i * w + w - 1] > 0 ? 1f : 0f;
        }
        DMatrix train = new DMatrix(x, n, w, Float.NaN);
        train.setLabel(y);
        Map<String, Object> params = new HashMap<>(Map.of("objective", "binary:logistic", "max_depth", 3,
                "nthread", 1, "seed", 1));
        Booster booster = XGBoost.train(train, params, 10, Map.of(), null, null);
        return new RankingModel(booster, new ModelMetadata(version, RankingFeatures.names(), RankingFeatures.hash(),
                Instant.now(), n, 0, 0.5, "binary:logistic", null));
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
