package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserState;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.serving.Ranking;
import dev.marquee.common.serving.ServingMode;
import dev.marquee.ranking.RankingApplication;
import dev.marquee.retrieval.RetrievalApplication;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import dev.marquee.common.it.NeedsInfrastructure;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one seam between the gateway and its two steps: the real retrieval and ranking services started in this JVM
 * on their own ports, and gateways in front of them in each serving mode. For the same state both modes serve the same
 * list, and a ranker that never answers costs each mode its ranking budget, not the request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@NeedsInfrastructure
class ServingModesIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Path models = TestModels.registryDir();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String version = "modes-" + run;
    private final List<ConfigurableApplicationContext> started = new CopyOnWriteArrayList<>();
    private final List<String> items = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final JsonMapper json = JsonMapper.builder().build();
    private StringRedisTemplate redis;
    private String retrievalUrl;
    private String rankingUrl;

    /** The settings both modes share, so that a difference in the lists can only come from the seam. */
    private List<String> common() {
        return List.of("server.port=0", "marquee.gateway.exploration-slots=0", "marquee.gateway.popular-cache-ttl=0s",
                "marquee.retrieval.popular-cache-ttl=0s", "marquee.retrieval.embedding-url=http://127.0.0.1:9",
                "marquee.ranking.item-cache-ttl=0s", "marquee.ranking.reload-interval=100ms",
                "marquee.ranking.model-dir=" + models,
                "spring.kafka.consumer.group-id=serving-modes-" + run,
                "spring.kafka.consumer.auto-offset-reset=latest",
                "spring.kafka.consumer.key-deserializer=org.apache.kafka.common.serialization.StringDeserializer",
                "spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.StringDeserializer");
    }

    private ConfigurableApplicationContext start(Class<?> app, String... more) {
        List<String> properties = new ArrayList<>(common());
        properties.addAll(List.of(more));
        // as command-line arguments: above the application.yml on the class path (the gateway's)
        ConfigurableApplicationContext context = new SpringApplicationBuilder(app)
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
        started.add(context);
        return context;
    }

    private static String url(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    @BeforeAll
    void theServicesAndAWorld() throws Exception {
        // the services' own cores only (their endpoints call them): serving=remote keeps the in-process
        // auto-configurations, meant for a gateway, out of them
        retrievalUrl = url(start(RetrievalApplication.class, "spring.application.name=retrieval-service",
                ServingMode.PROPERTY + "=remote"));
        ConfigurableApplicationContext ranking = start(RankingApplication.class,
                "spring.application.name=ranking-service", ServingMode.PROPERTY + "=remote");
        rankingUrl = url(ranking);
        redis = ranking.getBean(StringRedisTemplate.class);
        Random random = new Random(5);
        for (int i = 0; i < 30; i++) {
            String id = "modes-" + i + "-" + run;
            items.add(id);
            String key = RedisKeys.item(id);
            String category = "modes-cat-" + (i % 3) + "-" + run;
            TestItems.item(redis, id, category, 5 + random.nextInt(50), random);
            redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e15 - i);
            redis.opsForZSet().add(RedisKeys.popular(category), id, 1e15 - i);
            keys.addAll(List.of(key, RedisKeys.popular(category)));
        }
        TestModels.promote(models, json, version);
    }

    @AfterAll
    void stop() {
        if (redis != null) {
            redis.opsForZSet().remove(RedisKeys.POPULAR, items.toArray());
            redis.delete(keys);
        }
        started.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void inProcessAndRemoteServeTheSameListForTheSameState() throws Exception {
        String inProcess = url(start(GatewayApplication.class, ServingMode.PROPERTY + "=in-process"));
        String remote = url(start(GatewayApplication.class, ServingMode.PROPERTY + "=remote",
                "marquee.gateway.retrieval-url=" + retrievalUrl, "marquee.gateway.ranking-url=" + rankingUrl,
                "marquee.gateway.retrieval-timeout=2s", "marquee.gateway.ranking-timeout=2s"));
        List<Map<String, Object>> asks = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            String user = "modes-user-" + u + "-" + run;
            UserState state = UserState.empty();
            for (int j = 0; j < 3 * u; j++) { // from no history to nine recent items
                state.addRecent(items.get((7 * u + j) % items.size()), 30);
                state.countEvent();
                redis.opsForZSet().add(RedisKeys.history(user), items.get((7 * u + j) % items.size()), j);
            }
            redis.execute((RedisCallback<Object>) c -> {
                c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)), state.toBytes());
                return null;
            });
            keys.addAll(List.of(RedisKeys.user(user), RedisKeys.history(user)));
            asks.add(Map.of("userId", user, "k", 8));
            asks.add(Map.of("userId", user, "k", 5, "filters", Map.of(
                    "excludeCategories", List.of("modes-cat-0-" + run), "excludeItems", List.of(items.get(1)))));
        }
        for (String gateway : List.of(inProcess, remote)) {
            awaitRanked(gateway, asks.get(0));
        }
        for (Map<String, Object> ask : asks) {
            JsonNode a = recommend(inProcess, ask);
            JsonNode b = recommend(remote, ask);
            assertThat(a.path("modelVersion").asString(null)).as(a.toString()).isEqualTo(version);
            assertThat(b.path("modelVersion").asString(null)).as(b.toString()).isEqualTo(version);
            assertThat(ids(a)).as("asked %s", ask).isNotEmpty().isEqualTo(ids(b));
        }
    }

    @ParameterizedTest
    @EnumSource(ServingMode.class)
    void aRankerThatNeverAnswersCostsTheRankingBudgetThenItsBreakerSkipsRankingAtOnce(ServingMode mode) throws Exception {
        String gateway;
        ServerSocket hung = new ServerSocket(0); // accepts connections, never answers
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (!hung.isClosed()) {
                    accepted.add(hung.accept());
                }
            } catch (Exception ignored) { // closed
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        try {
            if (mode == ServingMode.IN_PROCESS) {
                gateway = url(startWith(HungRanking.class, ServingMode.PROPERTY + "=in-process",
                        "marquee.gateway.ranking-timeout=200ms"));
            } else {
                gateway = url(start(GatewayApplication.class, ServingMode.PROPERTY + "=remote",
                        "marquee.gateway.retrieval-url=" + retrievalUrl,
                        "marquee.gateway.ranking-url=http://127.0.0.1:" + hung.getLocalPort(),
                        "marquee.gateway.retrieval-timeout=2s", "marquee.gateway.ranking-timeout=200ms"));
            }
            Map<String, Object> ask = Map.of("userId", "modes-hung-" + run, "k", 5);
            recommend(gateway, ask); // warm: the first request of a fresh JVM pays class loading
            long start = System.nanoTime();
            JsonNode answer = recommend(gateway, ask);
            double millis = (System.nanoTime() - start) / 1e6;
            assertThat(answer.get("degradedReasons").toString()).as(answer.toString())
                    .contains("ranking unavailable (TimeoutException)");
            assertThat(ids(answer)).hasSize(5);
            assertThat(answer.get("stageMillis").get("ranking").asDouble()).isLessThan(HungRanking.HANG_MILLIS / 4);
            assertThat(millis).as("answered after %.0f ms", millis).isLessThan(HungRanking.HANG_MILLIS / 4);

            // every call of the last seconds timed out (20 at least): the breaker opens, and ranking is skipped at once
            JsonNode skipped = null;
            for (int i = 0; i < 30 && skipped == null; i++) {
                JsonNode a = recommend(gateway, ask);
                if (a.get("degradedReasons").toString().contains("CallNotPermittedException")) {
                    skipped = a;
                }
            }
            assertThat(skipped).as("ranking still called after 32 timeouts").isNotNull();
            assertThat(ids(skipped)).hasSize(5);
            assertThat(skipped.get("stageMillis").get("ranking").asDouble()).isLessThan(50);
            JsonNode health = json.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/actuator/health"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(health.get("status").asString()).as(health.toString()).isEqualTo("UP");
            assertThat(health.at("/components/outageBreakers/details/step-ranking").asString()).as(health.toString())
                    .isEqualTo("OPEN");
            assertThat(health.at("/components/outageBreakers/details/degraded").asBoolean()).isTrue();
        } finally {
            hung.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private ConfigurableApplicationContext startWith(Class<?> extra, String... more) {
        List<String> properties = new ArrayList<>(common());
        properties.addAll(List.of(more));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class, extra)
                .run(properties.stream().map(p -> "--" + p).toArray(String[]::new));
        started.add(context);
        return context;
    }

    /** In-process fault: the ranking core wrapped so that every call blocks for {@link #HANG_MILLIS} first. */
    @Configuration
    static class HungRanking {
        static final double HANG_MILLIS = 10_000;

        @Bean
        static BeanPostProcessor hangTheRanker() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    return bean instanceof Ranking core ? new Hung(core) : bean;
                }
            };
        }

        record Hung(Ranking core) implements Ranking {
            @Override
            public RankResponse rank(RankRequest request, dev.marquee.common.feature.UserFeatures user) {
                try {
                    Thread.sleep((long) HANG_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return core.rank(request, user);
            }
        }
    }

    /** Asks until the gateway's ranking serves the promoted model (the ranker reloads the registry on a timer). */
    private void awaitRanked(String gateway, Map<String, Object> ask) throws Exception {
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            if (version.equals(recommend(gateway, ask).path("modelVersion").asString(null))) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private JsonNode recommend(String gateway, Map<String, Object> body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/recommend"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }

    private static List<String> ids(JsonNode answer) {
        List<String> out = new ArrayList<>();
        answer.get("items").forEach(i -> out.add(i.get("itemId").asString()));
        return out;
    }
}
