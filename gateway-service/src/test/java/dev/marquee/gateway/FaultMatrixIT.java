package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.FaultGate.Mode;
import dev.marquee.common.it.ItemCollections;
import dev.marquee.common.it.NeedsInfrastructure;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.milvus.MilvusConnection;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.utility.request.DescribeAliasReq;
import io.milvus.v2.service.utility.request.DropAliasReq;
import io.milvus.v2.service.vector.request.InsertReq;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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
 * The fault matrix of /recommend: the gateway serving in-process with the real Redis, Milvus and embedding service
 * (started from its jar: {@link EmbeddingServiceProcess}) each behind a {@link FaultGate}. For each dependency and each way it fails (down, hung, slow) every answer is a
 * 200 within {@link #BOUND}; one that lost what the dependency gives is flagged degraded; once the dependency is back,
 * the answers are whole again. A champion model file that is corrupted on disk is refused and the served model stays.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=in-process",
        "marquee.gateway.exploration-slots=0",
        "marquee.gateway.popular-cache-ttl=0s",
        "marquee.retrieval.collection=" + FaultMatrixIT.COLLECTION,
        "marquee.retrieval.popular-cache-ttl=0s",
        "marquee.retrieval.ann-cache-ttl=0s",
        "marquee.retrieval.ann-budget=1s",
        "marquee.retrieval.milvus-reconnect=300ms",
        "marquee.ranking.item-cache-ttl=0s",
        "marquee.ranking.reload-interval=200ms",
        "marquee.neighbours.cache-ttl=0s"})
@NeedsInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultMatrixIT {
    static final String COLLECTION = "gateway_fault_matrix";
    /** Every answer, whatever fails: well past the steps' budgets, far from a client's timeout. */
    private static final Duration BOUND = Duration.ofSeconds(3);
    /** The tiny T5's: stated interests are searched in the same collection as the items. */
    private static final int DIM = 128;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path MODELS = TestModels.registryDir();
    private static final FaultGate REDIS = FaultGate.toRedis();
    private static final FaultGate MILVUS = FaultGate.to(milvusUri().getHost(), milvusUri().getPort(), Mode.OPEN);
    private static final int EMBEDDING_PORT = EmbeddingServiceProcess.freePort();
    /** In front of the real embedding service, started in {@link #catalogModelAndUser()}. */
    private static final FaultGate EMBEDDING = FaultGate.to("127.0.0.1", EMBEDDING_PORT, Mode.OPEN);
    private static final String EMBEDDING_COLLECTION = "gateway_fault_embedding";
    private EmbeddingServiceProcess embedding;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String user = "fault-user-" + run;
    private final List<String> users = new ArrayList<>(List.of(user));
    private final List<String> items = new ArrayList<>();
    private byte[] userState;
    private String servedModel;

    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    MilvusConnection milvus;
    @Autowired
    JsonMapper json;

    private static URI milvusUri() {
        return URI.create(System.getenv().getOrDefault("MILVUS_URI", "http://127.0.0.1:19530"));
    }

    @DynamicPropertySource
    static void dependenciesBehindGates(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", REDIS::port);
        registry.add("marquee.retrieval.milvus-uri", () -> "http://127.0.0.1:" + MILVUS.port());
        registry.add("marquee.retrieval.embedding-url", () -> "http://127.0.0.1:" + EMBEDDING.port());
        registry.add("marquee.ranking.model-dir", MODELS::toString);
    }

    /** A catalog of 12 items in Redis and Milvus, a model, and a user with a taste and recent items. */
    @BeforeAll
    void catalogModelAndUser() throws Exception {
        embedding = EmbeddingServiceProcess.start(EMBEDDING_PORT, EMBEDDING_COLLECTION,
                Path.of("target", "fault-matrix-embedding-service.log"));
        Random random = new Random(3);
        List<JsonObject> rows = new ArrayList<>();
        UserState state = UserState.empty();
        for (int i = 0; i < 12; i++) {
            String id = "fault-" + i + "-" + run;
            items.add(id);
            float[] vector = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                vector[d] = (float) random.nextGaussian();
            }
            vector = Vectors.normalized(vector);
            redis.opsForHash().putAll(RedisKeys.item(id), Map.of(RedisKeys.ITEM_CATEGORY, "cat-" + (i % 3),
                    RedisKeys.ITEM_TITLE, "t-" + id, RedisKeys.ITEM_PRICE, "10"));
            float[] stored = vector;
            redis.execute((RedisCallback<Object>) c -> c.hashCommands().hSet(FeatureStore.bytes(RedisKeys.item(id)),
                    FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(stored)));
            redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e13 - i);
            rows.add(ItemCollections.row(id, vector, "cat-" + (i % 3)));
            if (i < 2) { // the user viewed the first two
                state.addTaste(1.0, vector, 1.0);
                state.addRecent(id, 30);
                state.countEvent();
            }
        }
        userState = state.toBytes();
        redis.execute((RedisCallback<Object>) c -> c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)),
                userState));
        MilvusClientV2 client = milvusClient();
        ItemCollections.createEmpty(client, COLLECTION, DIM);
        client.insert(InsertReq.builder().collectionName(COLLECTION).data(rows).build());
        servedModel = "fault-" + run;
        TestModels.promote(MODELS, json, servedModel);
        awaitWhole(user, "the stack at the start");
    }

    /**
     * Another user with the same state and no ANN list computed yet: their first asks search Milvus on the request
     * path (a user who has a list does not need Milvus to be answered).
     */
    private String newUser() {
        String id = user + "-" + users.size();
        users.add(id);
        redis.execute((RedisCallback<Object>) c -> c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(id)),
                userState));
        return id;
    }

    @AfterEach
    void everyGateOpen() {
        for (FaultGate g : List.of(REDIS, MILVUS, EMBEDDING)) {
            if (g.mode() != Mode.OPEN) {
                g.set(Mode.OPEN);
            }
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        everyGateOpen();
        items.forEach(id -> redis.opsForZSet().remove(RedisKeys.POPULAR, id));
        redis.delete(items.stream().map(RedisKeys::item).toList());
        redis.delete(users.stream().map(RedisKeys::user).toList());
        MilvusClientV2 client = milvusClient();
        client.dropCollection(DropCollectionReq.builder().collectionName(COLLECTION).build());
        if (embedding != null) {
            embedding.close();
            // the embedding service's own (empty) index: its alias and the collection behind it
            String behind = client.describeAlias(DescribeAliasReq.builder().alias(EMBEDDING_COLLECTION).build())
                    .getCollectionName();
            client.dropAlias(DropAliasReq.builder().alias(EMBEDDING_COLLECTION).build());
            client.dropCollection(DropCollectionReq.builder().collectionName(behind).build());
        }
        for (FaultGate g : List.of(REDIS, MILVUS, EMBEDDING)) {
            g.close();
        }
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("redis", Mode.DOWN), Arguments.of("redis", Mode.HUNG), Arguments.of("redis", Mode.SLOW),
                Arguments.of("milvus", Mode.DOWN), Arguments.of("milvus", Mode.HUNG),
                Arguments.of("milvus", Mode.SLOW));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("faults")
    void everyAnswerIsA200WithinItsBoundFlaggedWhenItLostSomethingAndWholeOnceTheDependencyIsBack(
            String dependency, Mode mode) throws Exception {
        FaultGate gate = "redis".equals(dependency) ? REDIS : MILVUS;
        String asker = newUser();
        if (mode == Mode.SLOW) {
            gate.slow(Duration.ofMillis(30));
        } else {
            gate.set(mode);
        }

        for (int i = 0; i < 6; i++) {
            Answer a = recommend(asker, null);
            assertThat(a.millis()).as("%s %s, answer %d", dependency, mode, i).isLessThan(BOUND.toMillis());
            if (mode != Mode.SLOW) {
                assertThat(a.degraded()).as("%s %s, answer %d: %s", dependency, mode, i, a.body()).isTrue();
            }
            assertThat(a.degraded()).isEqualTo(!a.body().get("degradedReasons").isEmpty());
        }

        gate.set(Mode.OPEN);
        awaitWhole(asker, dependency + " back after " + mode);
    }

    @ParameterizedTest(name = "embedding {0}")
    @MethodSource("embeddingFaults")
    void statedInterestsWithTheEmbeddingServiceFailingAreA200WithinItsBoundFlaggedAndWholeOnceItIsBack(Mode mode)
            throws Exception {
        awaitInterestsWhole("the embedding service answering before " + mode);
        if (mode == Mode.SLOW) {
            EMBEDDING.slow(Duration.ofMillis(300)); // beyond the stated-interests budget (150 ms)
        } else {
            EMBEDDING.set(mode);
        }

        for (int i = 0; i < 4; i++) {
            Answer a = recommend(user, "hiking boots " + i);
            assertThat(a.millis()).as("embedding %s, answer %d", mode, i).isLessThan(BOUND.toMillis());
            assertThat(a.degraded()).as(a.body().toString()).isTrue();
            assertThat(a.body().get("degradedReasons").toString()).contains("YourInterests");
            assertThat(a.body().get("items")).isNotEmpty(); // the other sources still answered
        }

        EMBEDDING.set(Mode.OPEN);
        awaitInterestsWhole("the embedding service back after " + mode);
    }

    static Stream<Mode> embeddingFaults() {
        return Stream.of(Mode.DOWN, Mode.HUNG, Mode.SLOW);
    }

    /** Waits (up to 30 s) for an answer to stated interests that lost nothing. */
    private void awaitInterestsWhole(String what) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        Answer a;
        do {
            a = recommend(user, "hiking boots");
            if (!a.degraded()) {
                return;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(what + ": no whole answer to stated interests within 30 s; the last: " + a.body());
    }

    @Test
    void aChampionModelFileCorruptedOnDiskIsRefusedAndTheServedModelKeepsRanking() throws Exception {
        String next = "fault-next-" + run;
        TestModels.promote(MODELS, json, next); // promoted by another process: this one reloads it
        Path file = MODELS.resolve(next).resolve("model.ubj");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x5a;
        Files.write(file, bytes);
        // the checksum was written with the good file: the reload (every 200 ms) refuses the changed one
        Instant until = Instant.now().plusSeconds(2);
        while (Instant.now().isBefore(until)) {
            Answer a = recommend(user, null);
            assertThat(a.body().get("modelVersion").asString()).isIn(servedModel, next);
            assertThat(a.degraded()).as(a.body().toString()).isFalse();
            Thread.sleep(100);
        }
        assertThat(recommend(user, null).body().get("modelVersion").asString()).isEqualTo(servedModel);
    }

    /** Waits (up to 30 s) for a whole answer: ranked, from the sources, nothing degraded. */
    private void awaitWhole(String asker, String what) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        Answer a;
        do {
            a = recommend(asker, null);
            if (!a.degraded() && a.body().hasNonNull("modelVersion")) {
                assertThat(a.body().get("items")).isNotEmpty();
                return;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError(what + ": no whole answer within 30 s; the last: " + a.body());
    }

    private record Answer(JsonNode body, long millis) {
        boolean degraded() {
            return body.get("degraded").asBoolean();
        }
    }

    /** One /recommend (GET, or POST with stated interests), asserted 200, timed. */
    private Answer recommend(String asker, String interests) throws Exception {
        String base = "http://127.0.0.1:" + env.getProperty("local.server.port") + "/recommend";
        HttpRequest request = interests == null
                ? HttpRequest.newBuilder(URI.create(base + "?userId=" + asker + "&k=5")).GET().build()
                : HttpRequest.newBuilder(URI.create(base)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("userId", asker,
                                "k", 5, "interests", interests)))).build();
        long start = System.nanoTime();
        HttpResponse<String> r = HTTP.send(request.newBuilder(request, (n, v) -> true)
                .timeout(BOUND.multipliedBy(3)).build(), HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new Answer(json.readTree(r.body()), millis);
    }

    /**
     * The retrieval core's own client once its background connection is made: on a loaded two-core CI box Milvus
     * can take seconds to answer its first call, so this waits well past one connect timeout.
     */
    private MilvusClientV2 milvusClient() {
        milvus.awaitConnected(Duration.ofSeconds(120));
        return milvus.client();
    }
}
