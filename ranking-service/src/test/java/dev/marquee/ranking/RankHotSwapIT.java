package dev.marquee.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.train.LabelledExamples;
import dev.marquee.ranking.train.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hot swap through HTTP on the real Redis and Kafka: while four clients call {@code POST /rank} without pause, a
 * challenger is trained and promoted with {@code POST /models/train}. No request may fail, and the responses must move
 * from the old model's version to the new one's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.ranking.trainer.min-labelled-examples=200",
        "marquee.ranking.model-dir=target/hot-swap-models-${random.uuid}"})
@NeedsInfrastructure
class RankHotSwapIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int USERS = 40;
    private static final int ITEMS = 40;
    private static final int CLIENTS = 4;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Autowired
    Environment env;
    @Autowired
    JsonMapper json;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    ModelRegistry registry;
    @Autowired
    RankingProperties props;
    @Autowired
    LabelledExamples examples;

    /** A response: when its request started and ended (nanoTime), its status and the model version it names. */
    private record Call(long start, long end, int status, String version) {
    }

    @Test
    void promotingThroughHttpWhileClientsRankFailsNoRequestAndServesTheNewModel() throws Exception {
        int sent = givenUsersItemsAndLabelledExamples();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (examples.snapshot().stream().filter(x -> x.requestId().contains(run)).count() < sent
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        // a champion blind to what these examples teach: it scores by taste only, and these users have no taste vector
        registry.promote(TestModels.tasteOnly(props, 3));
        String oldVersion = registry.champion().orElseThrow().version();

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int n = 0; running.get(); n++) {
                    calls.add(rank(user((client * 7 + n) % USERS), "hs-" + run + "-" + client + "-" + n));
                }
            });
            t.start();
            clients.add(t);
        }
        Thread.sleep(500);
        long trainStart = System.nanoTime();
        HttpResponse<String> trained = post("/models/train", "");
        long trainEnd = System.nanoTime();
        Thread.sleep(500);
        running.set(false);
        for (Thread t : clients) {
            t.join();
        }

        assertThat(trained.statusCode()).as(trained.body()).isEqualTo(200);
        JsonNode outcome = json.readTree(trained.body());
        assertThat(outcome.get("promoted").asBoolean()).as(trained.body()).isTrue();
        String newVersion = outcome.get("version").asString();
        assertThat(newVersion).isNotEqualTo(oldVersion);

        assertThat(calls).allSatisfy(call -> assertThat(call.status()).as(call.toString()).isEqualTo(200));
        assertThat(calls).extracting(Call::version).containsOnly(oldVersion, newVersion);
        assertThat(calls).filteredOn(call -> call.end() < trainStart).isNotEmpty()
                .allSatisfy(call -> assertThat(call.version()).isEqualTo(oldVersion));
        assertThat(calls).as("requests served while the challenger was trained and promoted")
                .filteredOn(call -> call.start() > trainStart && call.end() < trainEnd).isNotEmpty();
        assertThat(calls).filteredOn(call -> call.start() > trainEnd).isNotEmpty()
                .allSatisfy(call -> assertThat(call.version()).isEqualTo(newVersion));
        System.out.println("hot swap: " + calls.size() + " /rank calls, "
                + calls.stream().filter(c -> c.start() > trainStart && c.end() < trainEnd).count()
                + " during training, " + (trainEnd - trainStart) / 1_000_000 + " ms to train and promote");
    }

    /** Users click items of their own category far more often than others (the signal the challenger learns). */
    private int givenUsersItemsAndLabelledExamples() throws Exception {
        RedisFixture fixture = new RedisFixture(redis);
        Random random = new Random(17);
        for (int i = 0; i < ITEMS; i++) {
            float[] v = new float[8];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            fixture.item(item(i), category(i), 10, v);
        }
        for (int u = 0; u < USERS; u++) {
            UserState state = UserState.empty();
            state.addCategory(1.0, category(u), 5.0, 16);
            state.addCategory(1.0, category(u + 1), 1.0, 16);
            fixture.user(user(u), state);
        }
        // newest of all examples in the window, so they are the validation slice
        Instant t = Instant.now().plusSeconds(60);
        int sent = 0;
        for (int u = 0; u < USERS; u++) {
            for (int p = 0; p < 10; p++) {
                int i = random.nextInt(ITEMS);
                boolean own = category(i).equals(category(u));
                int label = random.nextDouble() < (own ? 0.8 : 0.05) ? 1 : 0;
                String request = "req-" + run + "-" + u + "-" + (p / 5);
                LabelledExample x = new LabelledExample(LabelledExample.id(request, item(i) + "-" + p), user(u),
                        item(i), request, p % 5, "control", t.plusMillis(sent), label,
                        label == 1 ? EventType.CLICK : null, t.plusMillis(sent + 1000));
                kafka.send(Topics.EXAMPLES, user(u), json.writeValueAsString(x)).get();
                sent++;
            }
        }
        return sent;
    }

    private Call rank(String user, String requestId) {
        long start = System.nanoTime();
        try {
            List<Candidate> candidates = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                candidates.add(new Candidate(item((user.hashCode() & 0xff) + i * 2 % ITEMS), 1.0, "Popular"));
            }
            HttpResponse<String> r = post("/rank", json.writeValueAsString(new RankRequest(user,
                    candidates.stream().distinct().toList(), requestId)));
            String version = r.statusCode() == 200 ? json.readTree(r.body()).get("modelVersion").asString() : null;
            return new Call(start, System.nanoTime(), r.statusCode(), version);
        } catch (Exception e) {
            return new Call(start, System.nanoTime(), -1, e.toString());
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private String user(int u) {
        return "hs-" + run + "-u" + u;
    }

    private String item(int i) {
        return "hs-" + run + "-i" + (i % ITEMS);
    }

    private static String category(int n) {
        return "c" + (n % 4);
    }
}
