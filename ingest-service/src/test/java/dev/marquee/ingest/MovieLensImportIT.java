package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.ingest.bulk.BulkImporter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bulk import over HTTP → real Kafka → stream consumer → real Redis, with the MovieLens-format fixture under
 * {@code src/test/resources/movielens} (10 movies and 50 ratings of 6 users, one bad row in each file). Needs the
 * servers that {@code ./marquee test} starts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@NeedsInfrastructure
class MovieLensImportIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Set<String> MOVIES = Set.of("ml-1", "ml-2", "ml-3", "ml-6", "ml-11", "ml-29", "ml-32",
            "ml-50", "ml-750", "ml-208002");
    /** Fixture users are renumbered per run (user u becomes run * 10 + u) so that runs on one stack stay apart. */
    private final long run = ThreadLocalRandom.current().nextLong(100_000_000L, 900_000_000L);

    @Autowired
    Environment env;
    @Autowired
    FeatureStore store;
    @Autowired
    JsonMapper json;
    @Autowired
    MeterRegistry meters;

    @Test
    void movieLensFilesReachKafkaAndRedisWithTheBadRowsReported() throws Exception {
        HttpResponse<String> movies = post("/import/movielens/movies", "text/csv", fixture("movies.csv"));
        assertThat(movies.statusCode()).as(movies.body()).isEqualTo(200);
        JsonNode movieReport = json.readTree(movies.body());
        assertThat(movieReport.get("records").asLong()).isEqualTo(11);
        assertThat(movieReport.get("published").asLong()).isEqualTo(10);
        assertThat(movieReport.get("rejected").asLong()).isEqualTo(1);
        assertThat(movieReport.get("errors")).hasSize(1);
        assertThat(movieReport.get("errors").get(0).get("line").asLong()).isEqualTo(9);
        assertThat(movieReport.get("errors").get(0).get("field").asString()).isEqualTo("movieId");

        String ratingsCsv = renumberUsers(fixture("ratings.csv"));
        HttpResponse<String> ratings = post("/import/movielens/ratings", "text/csv", ratingsCsv);
        assertThat(ratings.statusCode()).as(ratings.body()).isEqualTo(200);
        JsonNode ratingReport = json.readTree(ratings.body());
        assertThat(ratingReport.get("records").asLong()).isEqualTo(51);
        assertThat(ratingReport.get("published").asLong()).isEqualTo(50);
        assertThat(ratingReport.get("rejected").asLong()).isEqualTo(1);
        assertThat(ratingReport.get("errors").get(0).get("line").asLong()).isEqualTo(24);
        assertThat(ratingReport.get("errors").get(0).get("field").asString()).isEqualTo("rating");

        // the catalog topic holds the 10 valid movies as catalog items
        Map<String, JsonNode> items = consume(Topics.CATALOG, rec -> MOVIES.contains(rec.key()), MOVIES.size());
        assertThat(items).containsOnlyKeys(MOVIES);
        JsonNode president = items.get("ml-11");
        assertThat(president.get("title").asString()).isEqualTo("American President, The (1995)");
        assertThat(president.get("category").asString()).isEqualTo("Comedy");
        assertThat(president.get("price").asDouble()).isZero();
        assertThat(president.get("tags").valueStream().map(JsonNode::asString))
                .containsExactly("Comedy", "Drama", "Romance");
        assertThat(items.get("ml-750").get("title").asString())
                .isEqualTo("Dr. \"Strangelove\" or: How I Learned to Stop Worrying and Love the Bomb (1964)");
        assertThat(items.get("ml-208002").get("category").asString()).isEqualTo("unknown");

        // the events topic holds the 50 valid ratings, keyed by user, with deterministic ids
        Map<String, Long> expectedPerUser = expectedRatingsPerUser(ratingsCsv);
        Map<String, JsonNode> events = consume(Topics.EVENTS, rec -> expectedPerUser.containsKey(rec.key()), 50);
        assertThat(events).hasSize(50);
        JsonNode first = events.get("ml-r-" + (run * 10 + 1) + "-29-964980158");
        assertThat(first).as("first fixture rating").isNotNull();
        assertThat(first.get("type").asString()).isEqualTo("rating");
        assertThat(first.get("value").asDouble()).isEqualTo(1.0);
        assertThat(first.get("itemId").asString()).isEqualTo("ml-29");
        assertThat(Instant.parse(first.get("timestamp").asString())).isEqualTo(Instant.ofEpochSecond(964980158));
        assertThat(events.values()).noneMatch(e -> e.get("timestamp").asString().equals(
                Instant.ofEpochSecond(964990000).toString()));   // the bad row

        // ... and the stream consumer applied each of them once
        for (var user : expectedPerUser.entrySet()) {
            await(() -> store.user(user.getKey()).eventCount() == user.getValue());
        }
        assertThat(meters.get(Metrics.IMPORT_RECORDS).tags(Metrics.TAG_FORMAT, BulkImporter.RATINGS,
                Metrics.TAG_OUTCOME, "imported").counter().count()).isGreaterThanOrEqualTo(50);
        assertThat(meters.get(Metrics.IMPORT_RECORDS).tags(Metrics.TAG_FORMAT, BulkImporter.MOVIES,
                Metrics.TAG_OUTCOME, "rejected").counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void importingTheSameRatingsAgainCountsNoEventTwice() throws Exception {
        String ratingsCsv = renumberUsers(fixture("ratings.csv"));
        Map<String, Long> expectedPerUser = expectedRatingsPerUser(ratingsCsv);
        HttpResponse<String> once = post("/import/movielens/ratings", "text/csv", ratingsCsv);
        assertThat(once.statusCode()).as(once.body()).isEqualTo(200);
        for (var user : expectedPerUser.entrySet()) {
            await(() -> store.user(user.getKey()).eventCount() == user.getValue());
        }

        // again, through the launcher: ./marquee import movielens <dir> posts movies.csv, then ratings.csv
        Path dir = Files.createTempDirectory("movielens");
        Files.writeString(dir.resolve("movies.csv"), fixture("movies.csv"));
        Files.writeString(dir.resolve("ratings.csv"), ratingsCsv);
        ProcessBuilder launcher = new ProcessBuilder("bash", Path.of("..", "marquee").toString(), "import",
                "movielens", dir.toString()).redirectErrorStream(true);
        launcher.environment().put("INGEST_URL", "http://127.0.0.1:" + env.getProperty("local.server.port"));
        Process process = launcher.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("\"published\":\\s*10").containsPattern("\"published\":\\s*50")
                .containsPattern("\"rejected\":\\s*1");
        // one fresh event per user, after the re-imported ones on the user's partition: once it is counted, the
        // duplicates before it have been processed too
        List<Map<String, Object>> sentinels = new ArrayList<>();
        for (String user : expectedPerUser.keySet()) {
            sentinels.add(Map.of("eventId", "sentinel-" + UUID.randomUUID(), "userId", user, "itemId", "ml-1",
                    "type", "view", "timestamp", Instant.now().toString()));
        }
        assertThat(post("/events/batch", "application/json", json.writeValueAsString(Map.of("events", sentinels)))
                .statusCode()).isEqualTo(202);
        for (var user : expectedPerUser.entrySet()) {
            await(() -> store.user(user.getKey()).eventCount() >= user.getValue() + 1);
        }
        for (var user : expectedPerUser.entrySet()) {
            assertThat(store.user(user.getKey()).eventCount()).as(user.getKey()).isEqualTo(user.getValue() + 1);
        }
    }

    @Test
    void jsonLinesImportReportsBadLinesAndRefusesABodyThatIsNotJsonLines() throws Exception {
        String user = "u-jsonl-" + run;
        String valid = "{\"eventId\":\"e-%s-%d\",\"userId\":\"%s\",\"itemId\":\"ml-1\",\"type\":\"view\","
                + "\"timestamp\":\"%s\"}";
        String body = String.format(valid, run, 1, user, Instant.now()) + "\n"
                + "{\"eventId\":\"e-x\",\"userId\":\"" + user + "\",\"itemId\":\"ml-1\",\"type\":\"view\"}\n"
                + String.format(valid, run, 2, user, Instant.now()) + "\n";

        HttpResponse<String> ok = post("/import/events", "application/x-ndjson", body);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode report = json.readTree(ok.body());
        assertThat(report.get("published").asLong()).isEqualTo(2);
        assertThat(report.get("rejected").asLong()).isEqualTo(1);
        assertThat(report.get("errors").get(0).get("line").asLong()).isEqualTo(2);
        assertThat(report.get("errors").get(0).get("field").asString()).isEqualTo("timestamp");
        await(() -> store.user(user).eventCount() == 2);

        HttpResponse<String> notJsonLines = post("/import/events", "application/x-ndjson", fixture("movies.csv"));
        assertThat(notJsonLines.statusCode()).isEqualTo(400);
        assertThat(notJsonLines.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(json.readTree(notJsonLines.body()).get("errors").get(0).get("field").asString()).isEqualTo("body");
    }

    private String renumberUsers(String ratingsCsv) {
        return ratingsCsv.lines().map(line -> {
            int comma = line.indexOf(',');
            String user = line.substring(0, comma);
            return user.chars().allMatch(Character::isDigit)
                    ? (run * 10 + Long.parseLong(user)) + line.substring(comma) : line;
        }).collect(Collectors.joining("\n", "", "\n"));
    }

    /** Valid ratings per user id ("ml-<n>") of the fixture: rows whose rating is a number. */
    private static Map<String, Long> expectedRatingsPerUser(String ratingsCsv) {
        return ratingsCsv.lines().skip(1).map(l -> l.split(","))
                .filter(f -> f[2].matches("[0-9.]+"))
                .collect(Collectors.groupingBy(f -> "ml-" + f[0], TreeMap::new, Collectors.counting()));
    }

    /** Values by key (catalog) or event id (events) of the records matching, read from the topic's beginning. */
    private Map<String, JsonNode> consume(String topic, Predicate<ConsumerRecord<String, String>> wanted, int count) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getProperty("spring.kafka.bootstrap-servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "import-check-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, JsonNode> found = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(30);
            while (found.size() < count && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    if (wanted.test(rec)) {
                        JsonNode value = json.readTree(rec.value());
                        found.put(topic.equals(Topics.EVENTS) ? value.get("eventId").asString() : rec.key(), value);
                    }
                }
            }
        }
        return found;
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = MovieLensImportIT.class.getResourceAsStream("/movielens/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
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
