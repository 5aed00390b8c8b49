package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import dev.marquee.common.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway with retrieval and ranking unreachable (nothing listens on their ports) and the real Redis: it must
 * still answer 200, from the popular list, flagged degraded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=remote",
        "marquee.gateway.retrieval-url=http://127.0.0.1:9",
        "marquee.gateway.ranking-url=http://127.0.0.1:9",
        // each test puts its own items on top of the popular list and expects them at once
        "marquee.gateway.popular-cache-ttl=0s",
        "marquee.web.max-body-size=64KB"})
@NeedsInfrastructure
class RecommendFallbackIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    @Autowired
    JsonMapper json;

    @Test
    void servesPopularItemsFlaggedDegradedWhenRetrievalIsDown() throws Exception {
        String hot = "hot-" + UUID.randomUUID();
        redis.opsForZSet().add(RedisKeys.POPULAR, hot, 1e12);
        try {
            HttpResponse<String> r = get("/recommend?userId=someone&k=5");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(r.body());
            assertThat(body.get("degraded").asBoolean()).isTrue();
            assertThat(body.get("degradedReasons").get(0).asString()).startsWith("retrieval unavailable");
            assertThat(body.get("requestId").asString()).isNotBlank();
            List<String> ids = new ArrayList<>();
            body.get("items").forEach(i -> ids.add(i.get("itemId").asString()));
            assertThat(ids).containsExactlyElementsOf(store.popular(5).keySet());
            assertThat(ids.get(0)).isEqualTo(hot);
            assertThat(body.get("items").get(0).get("source").asString()).isEqualTo("Popular");
        } finally {
            redis.opsForZSet().remove(RedisKeys.POPULAR, hot);
        }
    }

    @Test
    void anItemTheCatalogWithdrewIsNeverServedFromThePopularList() throws Exception {
        String withdrawn = "gone-" + UUID.randomUUID();
        String kept = "kept-" + UUID.randomUUID();
        redis.opsForZSet().add(RedisKeys.POPULAR, withdrawn, 3e12);
        redis.opsForZSet().add(RedisKeys.POPULAR, kept, 2e12);
        redis.opsForHash().put(RedisKeys.item(withdrawn), RedisKeys.ITEM_CATEGORY, "books");
        redis.opsForSet().add(RedisKeys.INACTIVE_ITEMS, withdrawn);
        try {
            JsonNode body = json.readTree(get("/recommend?userId=someone&k=3").body());
            List<String> ids = new ArrayList<>();
            body.get("items").forEach(i -> ids.add(i.get("itemId").asString()));
            assertThat(ids).contains(kept).doesNotContain(withdrawn);
        } finally {
            redis.opsForZSet().remove(RedisKeys.POPULAR, withdrawn, kept);
            redis.opsForSet().remove(RedisKeys.INACTIVE_ITEMS, withdrawn);
            redis.delete(RedisKeys.item(withdrawn));
        }
    }

    @Test
    void everyShownItemIsLoggedAsAnImpressionWithRequestIdAndPosition() throws Exception {
        List<String> hot = List.of("shown-a-" + UUID.randomUUID(), "shown-b-" + UUID.randomUUID());
        hot.forEach(id -> redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e12));
        HttpResponse<String> r;
        try {
            r = get("/recommend?userId=viewer-" + UUID.randomUUID() + "&k=3");
        } finally {
            hot.forEach(id -> redis.opsForZSet().remove(RedisKeys.POPULAR, id));
        }
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        String requestId = body.get("requestId").asString();
        List<String> shown = new ArrayList<>();
        body.get("items").forEach(i -> shown.add(i.get("itemId").asString()));
        assertThat(shown).containsAll(hot);

        Map<Integer, String> logged = new TreeMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getProperty("spring.kafka.bootstrap-servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "impressions-" + requestId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.EVENTS));
            Instant deadline = Instant.now().plusSeconds(30);
            while (logged.size() < shown.size() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode e;
                    try {
                        e = json.readTree(rec.value());
                    } catch (tools.jackson.core.JacksonException notJson) { // other tests' poison messages
                        continue;
                    }
                    JsonNode context = e.get("context");
                    if (context != null && requestId.equals(context.path("requestId").asString())) {
                        assertThat(e.get("type").asString()).isEqualTo("impression");
                        assertThat(context.get("variant").asString()).isEqualTo(body.get("variant").asString());
                        assertThat(rec.key()).isEqualTo(e.get("userId").asString());
                        logged.put(context.get("position").asInt(), e.get("itemId").asString());
                    }
                }
            }
        }
        assertThat(List.copyOf(logged.keySet())).isEqualTo(
                java.util.stream.IntStream.range(0, shown.size()).boxed().toList());
        assertThat(List.copyOf(logged.values())).isEqualTo(shown);
    }

    @Test
    void popularAndTrendingListsComeFromTheFeatureStoreOverallAndPerCategory() throws Exception {
        String category = "cat-" + UUID.randomUUID().toString().substring(0, 8);
        String hot = "pop-" + UUID.randomUUID();
        String rising = "trend-" + UUID.randomUUID();
        redis.opsForZSet().add(RedisKeys.popular(category), hot, 5);
        redis.opsForZSet().add(RedisKeys.trending(category), rising, 5);
        try {
            JsonNode popular = json.readTree(get("/popular?category=" + category + "&k=5").body());
            assertThat(popular.get("degraded").asBoolean()).isFalse();
            assertThat(popular.get("items").get(0).get("itemId").asString()).isEqualTo(hot);
            assertThat(popular.get("items")).hasSize(1);
            JsonNode trending = json.readTree(get("/trending?category=" + category + "&k=5").body());
            assertThat(trending.get("items").get(0).get("itemId").asString()).isEqualTo(rising);
            assertThat(trending.get("items").get(0).get("source").asString()).isEqualTo("Trending");
        } finally {
            redis.delete(List.of(RedisKeys.popular(category), RedisKeys.trending(category)));
        }
        HttpResponse<String> bad = get("/popular?category=%22%5D%0Aor%20true");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json.readTree(bad.body()).get("errors").get(0).get("field").asString()).isEqualTo("category");
    }

    @Test
    void similarItemsFallBackToCoVisitationWhenRetrievalIsDownAndUnknownItemsAre404() throws Exception {
        String item = "sim-" + UUID.randomUUID();
        String neighbour = "sim-n-" + UUID.randomUUID();
        redis.opsForHash().put(RedisKeys.item(item), RedisKeys.ITEM_CATEGORY, "books");
        redis.opsForZSet().add(RedisKeys.coVisits(item), neighbour, 4);
        try {
            HttpResponse<String> r = get("/similar/" + item + "?k=5");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(r.body());
            assertThat(body.get("degraded").asBoolean()).isTrue();
            assertThat(body.get("items").get(0).get("itemId").asString()).isEqualTo(neighbour);
            assertThat(body.get("items").get(0).get("source").asString()).isEqualTo("CoVisited");
        } finally {
            redis.delete(List.of(RedisKeys.item(item), RedisKeys.coVisits(item)));
        }
        HttpResponse<String> unknown = get("/similar/no-such-item-" + UUID.randomUUID());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("errors").get(0).get("field").asString()).isEqualTo("itemId");
    }

    @Test
    void badParametersGetProblemResponsesNamingTheField() throws Exception {
        HttpResponse<String> zero = get("/recommend?userId=someone&k=0");
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(json.readTree(zero.body()).get("errors").get(0).get("field").asString()).isEqualTo("k");

        HttpResponse<String> injected = get("/recommend?userId=%22%5D%20or%20true&k=3");
        assertThat(injected.statusCode()).isEqualTo(400);
        assertThat(json.readTree(injected.body()).get("errors").get(0).get("field").asString()).isEqualTo("userId");

        HttpResponse<String> missing = get("/recommend?k=3");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json.readTree(missing.body()).get("errors").get(0).get("field").asString()).isEqualTo("userId");
    }

    @Test
    void popularFallbackKeepsToTheIncludedCategoryAndLeavesOutExcludedItems() throws Exception {
        String category = "fb-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ours = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "fb-item-" + i + "-" + UUID.randomUUID();
            ours.add(id);
            redis.opsForZSet().add(RedisKeys.popular(category), id, 10 + i);
            redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e11 + i); // among the most popular overall too
            redis.opsForHash().put(RedisKeys.item(id), RedisKeys.ITEM_CATEGORY, category);
        }
        String elsewhere = "fb-other-" + UUID.randomUUID();
        redis.opsForZSet().add(RedisKeys.POPULAR, elsewhere, 1e12);
        try {
            HttpResponse<String> r = post("/recommend", Map.of("userId", "fb-user", "k", 3, "filters",
                    Map.of("includeCategories", List.of(category), "excludeItems", List.of(ours.get(4)))));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = json.readTree(r.body());
            assertThat(body.get("degraded").asBoolean()).isTrue();
            List<String> ids = new ArrayList<>();
            body.get("items").forEach(i -> ids.add(i.get("itemId").asString()));
            // the most popular of the category first, the excluded one (most popular of all) left out
            assertThat(ids).containsExactly(ours.get(3), ours.get(2), ours.get(1));

            HttpResponse<String> excluding = get("/recommend?userId=fb-user&k=20&excludeCategory=" + category);
            List<String> shown = new ArrayList<>();
            json.readTree(excluding.body()).get("items").forEach(i -> shown.add(i.get("itemId").asString()));
            assertThat(shown).contains(elsewhere).doesNotContainAnyElementsOf(ours);
        } finally {
            redis.delete(RedisKeys.popular(category));
            redis.opsForZSet().remove(RedisKeys.POPULAR, elsewhere);
            ours.forEach(id -> redis.delete(RedisKeys.item(id)));
            ours.forEach(id -> redis.opsForZSet().remove(RedisKeys.POPULAR, id));
        }
    }

    @Test
    void filterAndContextValuesThatCouldBreakAQueryAreRefusedNamingTheField() throws Exception {
        HttpResponse<String> body = post("/recommend", Map.of("userId", "u-1", "filters",
                Map.of("includeCategories", List.of("books\n] or category != [\"x"))));
        assertThat(body.statusCode()).isEqualTo(400);
        assertThat(json.readTree(body.body()).get("errors").get(0).get("field").asString())
                .isEqualTo("filters.includeCategories[0]");

        HttpResponse<String> item = post("/recommend", Map.of("userId", "u-1", "filters",
                Map.of("excludeItems", List.of("x\" || true"))));
        assertThat(item.statusCode()).isEqualTo(400);
        assertThat(json.readTree(item.body()).get("errors").get(0).get("field").asString())
                .isEqualTo("filters.excludeItems[0]");

        HttpResponse<String> device = post("/recommend", Map.of("userId", "u-1", "context", Map.of("device", "a b")));
        assertThat(device.statusCode()).isEqualTo(400);
        assertThat(json.readTree(device.body()).get("errors").get(0).get("field").asString())
                .isEqualTo("context.device");

        HttpResponse<String> query = get("/recommend?userId=u-1&category=%22%5D%0Aor%20true");
        assertThat(query.statusCode()).isEqualTo(400);
        assertThat(json.readTree(query.body()).get("errors").get(0).get("field").asString())
                .isEqualTo("category[0]");
    }

    @Test
    void aBodyOverTheCapIsRefusedWith413NamingTheBodyWhetherItsLengthIsDeclaredOrNot() throws Exception {
        String big = "{\"userId\":\"u-1\",\"interests\":\"" + "x".repeat(100_000) + "\"}";
        URI uri = URI.create("http://127.0.0.1:" + env.getProperty("local.server.port") + "/recommend");
        HttpResponse<String> declared = HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).as(declared.body()).isEqualTo(413);
        assertThat(json.readTree(declared.body()).get("errors").get(0).get("field").asString()).isEqualTo("body");

        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofInputStream(() ->
                        new java.io.ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
        assertThat(json.readTree(chunked.body()).get("errors").get(0).get("field").asString()).isEqualTo("body");

        // a body under the cap is read as before
        assertThat(post("/recommend", Map.of("userId", "u-1", "k", 3)).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> post(String path, Map<String, Object> body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
