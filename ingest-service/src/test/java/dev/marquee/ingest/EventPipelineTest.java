package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ingest REST → real Kafka → stream consumer → real Redis. Needs the servers that {@code ./marquee test} starts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EnabledIfEnvironmentVariable(named = "MARQUEE_INFRA", matches = "up")
class EventPipelineTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    JsonMapper json;

    @Test
    void eventsReachRedisFeaturesThroughKafka() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        String b = item("b", "toys", new float[] {0, 1, 0, 0});
        HttpResponse<String> r = post("/events/batch", Map.of("events", List.of(
                event(user, a, EventType.VIEW), event(user, b, EventType.CLICK), event(user, a, EventType.PURCHASE))));
        assertThat(r.statusCode()).isEqualTo(202);

        await(() -> store.user(user).eventCount() == 3);
        UserFeatures f = store.user(user);
        assertThat(f.recentItems()).containsExactly(a, b, a);
        float[] expected = Vectors.decayAndAdd(null, 0.95, new float[] {1, 0, 0, 0}, 1.0);
        expected = Vectors.decayAndAdd(expected, 0.95, new float[] {0, 1, 0, 0}, 2.0);
        expected = Vectors.decayAndAdd(expected, 0.95, new float[] {1, 0, 0, 0}, 4.0);
        assertThat(f.taste()).containsExactly(expected);
        assertThat(f.categoryWeights()).containsEntry("books", 5.0).containsEntry("toys", 2.0);
        assertThat(redis.opsForZSet().score(RedisKeys.POPULAR, a)).isEqualTo(5.0);
        assertThat(redis.getExpire(RedisKeys.userRecent(user))).isPositive();
    }

    @Test
    void replayedEventCountsOnce() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        Map<String, Object> once = event(user, a, EventType.CLICK);
        assertThat(post("/events", once).statusCode()).isEqualTo(202);
        assertThat(post("/events", once).statusCode()).isEqualTo(202);
        assertThat(post("/events", event(user, a, EventType.VIEW)).statusCode()).isEqualTo(202);

        await(() -> store.user(user).recentItems().size() >= 2);
        Thread.sleep(500);
        assertThat(store.user(user).eventCount()).isEqualTo(2);
        assertThat(redis.opsForZSet().score(RedisKeys.POPULAR, a)).isEqualTo(3.0);
    }

    @Test
    void invalidEventsAreRejectedWithProblemNamingTheFieldAndNotPublished() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        Map<String, Object> noTimestamp = new java.util.HashMap<>(event(user, a, EventType.CLICK));
        noTimestamp.remove("timestamp");
        HttpResponse<String> missing = post("/events", noTimestamp);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(missing.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("timestamp");

        Map<String, Object> badType = new java.util.HashMap<>(event(user, a, EventType.CLICK));
        badType.put("type", "teleport");
        HttpResponse<String> unknown = post("/events", badType);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json.readTree(unknown.body()).get("errors").get(0).get("field").asString()).isEqualTo("type");

        HttpResponse<String> badBatch = post("/events/batch", Map.of("events",
                List.of(event(user, a, EventType.VIEW), badType)));
        assertThat(badBatch.statusCode()).isEqualTo(400);

        // same user, same partition: had any rejected event been published, it would be counted before this one
        assertThat(post("/events", event(user, a, EventType.VIEW)).statusCode()).isEqualTo(202);
        await(() -> store.user(user).eventCount() >= 1);
        Thread.sleep(300);
        assertThat(store.user(user).eventCount()).isEqualTo(1);
    }

    @Test
    void poisonMessageLandsInDeadLetterTopicAndConsumerGoesOn() throws Exception {
        String user = "u-" + run;
        String poison = "{not json " + run;
        kafka.send(Topics.EVENTS, user, poison).get();
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        assertThat(post("/events", event(user, a, EventType.VIEW)).statusCode()).isEqualTo(202);
        await(() -> store.user(user).eventCount() == 1);

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getProperty("spring.kafka.bootstrap-servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dlt-check-" + run);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.EVENTS_DEAD_LETTER));
            ConsumerRecord<String, String> found = null;
            Instant deadline = Instant.now().plusSeconds(20);
            while (found == null && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    if (poison.equals(rec.value())) {
                        found = rec;
                    }
                }
            }
            assertThat(found).as("poison message in " + Topics.EVENTS_DEAD_LETTER).isNotNull();
            assertThat(found.key()).isEqualTo(user);
            assertThat(new String(found.headers().lastHeader("marquee-dlt-reason").value(), StandardCharsets.UTF_8))
                    .isNotBlank();
        }
    }

    /** An item as the embedding service leaves it in Redis. */
    private String item(String name, String category, float[] vector) {
        String id = "it-" + name + "-" + run;
        redis.execute((RedisCallback<Object>) c -> {
            byte[] key = FeatureStore.bytes(RedisKeys.item(id));
            c.hashCommands().hSet(key, FeatureStore.bytes(RedisKeys.ITEM_CATEGORY), FeatureStore.bytes(category));
            c.hashCommands().hSet(key, FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(vector));
            return null;
        });
        return id;
    }

    private static Map<String, Object> event(String user, String item, EventType type) {
        return Map.of("eventId", "e-" + UUID.randomUUID(), "userId", user, "itemId", item,
                "type", type.wireName(), "timestamp", Instant.now().toString());
    }

    private HttpResponse<String> post(String path, Object body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(50);
        }
    }
}
