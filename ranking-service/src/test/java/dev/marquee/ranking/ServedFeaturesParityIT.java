package dev.marquee.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.common.feature.ServedFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.train.ExampleFeatures;
import dev.marquee.ranking.train.LabelledExamples;
import dev.marquee.ranking.train.ModelTrainer;
import dev.marquee.ranking.train.ServedRows;
import dev.marquee.ranking.train.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Train/serve parity on the real Kafka and Redis: {@code POST /rank} logs the rows it scored to
 * {@link Topics#SERVED_FEATURES}, and the trainer joins them with the labelled examples by example id.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.ranking.served-features.top-n=3",
        "marquee.ranking.trainer.min-labelled-examples=100",
        "marquee.ranking.model-dir=target/parity-models-${random.uuid}"})
@NeedsInfrastructure
class ServedFeaturesParityIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int ITEMS = 6;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Autowired
    Environment env;
    @Autowired
    JsonMapper json;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    ModelRegistry registry;
    @Autowired
    RankingProperties props;
    @Autowired
    LabelledExamples examples;
    @Autowired
    ServedRows served;
    @Autowired
    ExampleFeatures exampleFeatures;
    @Autowired
    ModelTrainer trainer;

    private RedisFixture fixture;
    private final Map<String, float[]> vectors = new HashMap<>();

    @BeforeEach
    void championAndCatalog() {
        fixture = new RedisFixture(redis);
        if (registry.champion().isEmpty()) {
            registry.promote(TestModels.tasteOnly(props, 7));
        }
        Random random = new Random(11);
        for (int i = 0; i < ITEMS; i++) {
            float[] v = new float[8];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            vectors.put(item(i), v);
            fixture.item(item(i), category(i), 5 + 7 * i, v);
        }
    }

    @Test
    void rowsLoggedAtServeTimeAreTheRowsTheTrainerUsesBitForBit() throws Exception {
        String user = user(0);
        givenUser(user);
        UserFeatures userAtServe = store.user(user);
        Map<String, ItemFeatures> itemsAtServe = store.items(items());
        String requestId = "req-" + run + "-0";

        RankResponse ranked = rank(user, requestId);

        ServedFeatures logged = consumeServed(requestId);
        assertThat(logged.userId()).isEqualTo(user);
        assertThat(logged.modelVersion()).isEqualTo(ranked.modelVersion());
        assertThat(logged.featureHash()).isEqualTo(RankingFeatures.hash());
        assertThat(logged.rows()).extracting(ServedFeatures.Row::itemId)
                .containsExactlyElementsOf(ranked.items().stream().limit(3).map(RankResponse.ScoredItem::itemId)
                        .toList());
        for (ServedFeatures.Row row : logged.rows()) {
            assertThat(bits(row.features())).as("logged row of " + row.itemId() + " vs FeatureAssembler")
                    .isEqualTo(bits(FeatureAssembler.row(userAtServe, itemsAtServe.get(row.itemId()))));
            assertThat(row.score()).isEqualTo((float) ranked.items().get(row.rank()).score());
        }

        List<LabelledExample> shown = publishExamples(user, requestId, ranked, 0);
        ExampleFeatures.Joined joined = joinWhenLogged(shown, requestId, logged);

        for (int i = 0; i < shown.size(); i++) {
            LabelledExample x = shown.get(i);
            float[] expected = FeatureAssembler.row(userAtServe, itemsAtServe.get(x.itemId()));
            assertThat(bits(joined.rows().get(i))).as("training row of " + x.exampleId()).isEqualTo(bits(expected));
            assertThat(joined.origins().get(i)).isEqualTo(x.position() < 3 ? ExampleFeatures.Origin.LOGGED
                    : ExampleFeatures.Origin.CURRENT);
            if (x.position() < 3) {
                assertThat(bits(joined.rows().get(i))).isEqualTo(bits(logged.rows().get(x.position()).features()));
            }
        }
        assertThat(joined.counts().logged()).isEqualTo(3);
        assertThat(joined.counts().current()).isEqualTo(3);
        assertThat(joined.counts().stale()).isZero();
    }

    @Test
    void aClickAfterTheImpressionDoesNotLeakIntoTheLoggedTrainingRow() throws Exception {
        String user = user(1);
        givenUser(user);
        String requestId = "req-" + run + "-1";
        RankResponse ranked = rank(user, requestId);
        ServedFeatures logged = consumeServed(requestId);
        UserFeatures before = store.user(user);
        String top = ranked.items().get(0).itemId();
        String below = ranked.items().get(4).itemId();

        // the user clicks the top item and one ranked below the logged top 3; the stream consumer updates their state
        long now = System.currentTimeMillis();
        fixture.click(user, top, category(index(top)), vectors.get(top), now);
        fixture.click(user, below, category(index(below)), vectors.get(below), now + 1000);
        UserFeatures after = store.user(user);
        assertThat(after.eventCount()).isEqualTo(before.eventCount() + 2);

        List<LabelledExample> shown = publishExamples(user, requestId, ranked, 0, 4);
        ExampleFeatures.Joined joined = joinWhenLogged(shown, requestId, logged);
        Map<String, ItemFeatures> items = store.items(List.of(top, below));

        int topIndex = indexOf(shown, top);
        float[] trained = joined.rows().get(topIndex);
        assertThat(joined.origins().get(topIndex)).isEqualTo(ExampleFeatures.Origin.LOGGED);
        assertThat(bits(trained)).as("the logged row predates the click")
                .isEqualTo(bits(FeatureAssembler.row(before, items.get(top))))
                .isEqualTo(bits(logged.rows().get(0).features()));
        assertThat(bits(FeatureAssembler.row(after, items.get(top)))).as("the current-features row holds the click")
                .isNotEqualTo(bits(trained));

        int belowIndex = indexOf(shown, below);
        assertThat(joined.origins().get(belowIndex)).as("not logged (rank 4 of top 3): current features")
                .isEqualTo(ExampleFeatures.Origin.CURRENT);
        assertThat(bits(joined.rows().get(belowIndex))).as("the fallback row includes the click")
                .isEqualTo(bits(FeatureAssembler.row(after, items.get(below))))
                .isNotEqualTo(bits(FeatureAssembler.row(before, items.get(below))));
    }

    @Test
    void aRowLoggedUnderAnotherFeatureListIsSkippedAndItsExampleUsesCurrentFeatures() throws Exception {
        String user = user(2);
        givenUser(user);
        String requestId = "req-" + run + "-2";
        float[] foreign = new float[FeatureAssembler.width() + 1];
        java.util.Arrays.fill(foreign, 9f);
        ServedFeatures old = new ServedFeatures(requestId, user, "v-old", "0123456789abcdef", Instant.now(),
                List.of(new ServedFeatures.Row(item(0), 0, 0.5f, foreign)));
        kafka.send(Topics.SERVED_FEATURES, user, json.writeValueAsString(old)).get();
        await(() -> served.snapshot().find(requestId, item(0)).kind() == ServedRows.Kind.STALE);

        LabelledExample x = new LabelledExample(LabelledExample.id(requestId, item(0)), user, item(0), requestId, 0,
                "control", Instant.now(), 1, EventType.CLICK, Instant.now());
        ExampleFeatures.Joined joined = exampleFeatures.join(List.of(x));

        assertThat(joined.origins()).containsExactly(ExampleFeatures.Origin.STALE);
        assertThat(joined.counts().stale()).isEqualTo(1);
        assertThat(bits(joined.rows().get(0)))
                .isEqualTo(bits(FeatureAssembler.row(store.user(user), store.items(List.of(item(0))).get(item(0)))));
    }

    @Test
    void trainingResultCountsLoggedAndFallbackRows() throws Exception {
        List<LabelledExample> all = new ArrayList<>();
        for (int u = 10; u < 40; u++) {
            String user = user(u);
            givenUser(user);
            String requestId = "req-" + run + "-" + u;
            all.addAll(publishExamples(user, requestId, rank(user, requestId), u % 6));
        }
        await(() -> examples.snapshot().stream().filter(x -> x.requestId().contains(run)).count() >= all.size()
                && all.stream().filter(x -> x.position() < 3)
                .allMatch(x -> served.snapshot().find(x.requestId(), x.itemId()).kind() == ServedRows.Kind.LOGGED));

        ModelTrainer.Outcome outcome = trainer.trainAndMaybePromote();

        System.out.println("training rows: " + outcome.rows() + " (this test: 90 logged, 90 not logged) -> " + outcome);
        assertThat(outcome.rows().logged()).as(outcome.toString()).isGreaterThanOrEqualTo(90);
        assertThat(outcome.rows().current()).as(outcome.toString()).isGreaterThanOrEqualTo(90);
        assertThat(outcome.rows().total()).isEqualTo(outcome.examples() + outcome.validationExamples());
        if (outcome.promoted()) {
            assertThat(registry.champion().orElseThrow().metadata().rows()).isEqualTo(outcome.rows());
        }
    }

    @Test
    void rankRejectsAMalformedRequestId() throws Exception {
        HttpResponse<String> response = post(new RankRequest(user(0), List.of(new Candidate(item(0), 1, "Popular")),
                "not a valid id!"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("requestId");
    }

    // --- fixture -------------------------------------------------------------------------------------------------

    /** A user with taste, two categories and history, as the stream consumer would have left them. */
    private void givenUser(String user) {
        UserState state = UserState.empty();
        state.advanceTo(System.currentTimeMillis() - 3_600_000);
        state.addTaste(1.0, vectors.get(item(1)), 1.0);
        state.addCategory(1.0, category(1), 3.0, 16);
        state.addCategory(1.0, category(2), 1.0, 16);
        for (int i = 0; i < 5; i++) {
            state.countEvent();
        }
        fixture.user(user, state);
    }

    private RankResponse rank(String user, String requestId) throws Exception {
        HttpResponse<String> response = post(new RankRequest(user,
                items().stream().map(id -> new Candidate(id, 1.0, "Popular")).toList(), requestId));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        RankResponse ranked = json.readValue(response.body(), RankResponse.class);
        assertThat(ranked.items()).hasSize(ITEMS);
        return ranked;
    }

    /** Labelled examples as the stream consumer would publish them: every ranked item shown, those at {@code clicked}
     * clicked. */
    private List<LabelledExample> publishExamples(String user, String requestId, RankResponse ranked, int... clicked)
            throws Exception {
        List<LabelledExample> out = new ArrayList<>();
        Instant shownAt = Instant.now();
        for (int p = 0; p < ranked.items().size(); p++) {
            String itemId = ranked.items().get(p).itemId();
            int position = p;
            int label = java.util.Arrays.stream(clicked).anyMatch(c -> c == position) ? 1 : 0;
            LabelledExample x = new LabelledExample(LabelledExample.id(requestId, itemId), user, itemId, requestId, p,
                    "control", shownAt, label, label == 1 ? EventType.CLICK : null, shownAt.plusSeconds(5));
            kafka.send(Topics.EXAMPLES, user, json.writeValueAsString(x)).get();
            out.add(x);
        }
        return out;
    }

    /** Joins once the listeners have read both the examples and the logged rows. */
    private ExampleFeatures.Joined joinWhenLogged(List<LabelledExample> shown, String requestId,
                                                  ServedFeatures logged) throws Exception {
        await(() -> examples.snapshot().stream().filter(x -> requestId.equals(x.requestId())).count() == shown.size()
                && served.snapshot().find(requestId, logged.rows().get(0).itemId()).kind() == ServedRows.Kind.LOGGED);
        List<LabelledExample> window = examples.snapshot().stream().filter(x -> requestId.equals(x.requestId()))
                .toList();
        Map<String, LabelledExample> byId = new HashMap<>();
        window.forEach(x -> byId.put(x.exampleId(), x));
        return exampleFeatures.join(shown.stream().map(x -> byId.get(x.exampleId())).toList());
    }

    private ServedFeatures consumeServed(String requestId) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getProperty("spring.kafka.bootstrap-servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "parity-" + run + "-" + requestId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.SERVED_FEATURES));
            Instant deadline = Instant.now().plusSeconds(30);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    ServedFeatures s = json.readValue(rec.value(), ServedFeatures.class);
                    if (requestId.equals(s.requestId())) {
                        assertThat(rec.key()).isEqualTo(s.userId());
                        return s;
                    }
                }
            }
        }
        throw new AssertionError("no served features logged for " + requestId);
    }

    private HttpResponse<String> post(RankRequest body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + "/rank"))
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
            Thread.sleep(100);
        }
    }

    private static int[] bits(float[] row) {
        int[] out = new int[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = Float.floatToRawIntBits(row[i]);
        }
        return out;
    }

    private static int indexOf(List<LabelledExample> shown, String itemId) {
        for (int i = 0; i < shown.size(); i++) {
            if (shown.get(i).itemId().equals(itemId)) {
                return i;
            }
        }
        throw new AssertionError(itemId + " not shown");
    }

    private List<String> items() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            out.add(item(i));
        }
        return out;
    }

    private String user(int u) {
        return "sp-" + run + "-u" + u;
    }

    private String item(int i) {
        return "sp-" + run + "-i" + i;
    }

    private int index(String itemId) {
        return Integer.parseInt(itemId.substring(itemId.lastIndexOf('i') + 1));
    }

    private static String category(int n) {
        return "c" + (n % 3);
    }
}
