package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.UserState;
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
import java.util.ArrayList;
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
import dev.marquee.common.it.NeedsInfrastructure;
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
@NeedsInfrastructure
class EventPipelineIT {
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
        Instant t = Instant.now();
        postBatch(List.of(event(user, a, EventType.VIEW, t), event(user, b, EventType.CLICK, t),
                event(user, a, EventType.PURCHASE, t)));

        await(() -> store.user(user).eventCount() == 3);
        UserFeatures f = store.user(user);
        assertThat(f.recentItems()).containsExactly(a, b);
        float[] expected = Vectors.decayAndAdd(null, 0.95, new float[] {1, 0, 0, 0}, 1.0);
        expected = Vectors.decayAndAdd(expected, 0.95, new float[] {0, 1, 0, 0}, 2.0);
        expected = Vectors.decayAndAdd(expected, 0.95, new float[] {1, 0, 0, 0}, 4.0);
        // stored as int8 with a scale: within half a quantisation step (max / 254) per event
        assertThat(f.taste()).containsExactly(expected, within(0.06f));
        assertThat(f.categoryWeights()).containsEntry("books", 5.0).containsEntry("toys", 2.0);
        // same event time: the decayed popularities keep the 5 : 2 ratio of the weights
        assertThat(redis.opsForZSet().score(RedisKeys.POPULAR, a) / redis.opsForZSet().score(RedisKeys.POPULAR, b))
                .isCloseTo(2.5, within(1e-9));
        assertThat(store.popular("books", 1000)).containsKey(a).doesNotContainKey(b);
        assertThat(store.trending("toys", 1000)).containsKey(b).doesNotContainKey(a);
        assertThat(redis.getExpire(RedisKeys.user(user))).isPositive();
    }

    @Test
    void trendingOverallMergesEveryCategoryAndTheItemsWithoutOne() throws Exception {
        String user = "u-" + run;
        String a = item("ta", "books", new float[] {1, 0, 0, 0});
        String b = item("tb", "toys", new float[] {0, 1, 0, 0});
        String unknown = "not-in-catalog-" + run; // no category: counted in the uncategorized set
        Instant t = Instant.now();
        postBatch(List.of(event(user, a, EventType.PURCHASE, t), event(user, b, EventType.CLICK, t),
                event(user, unknown, EventType.VIEW, t)));

        await(() -> store.user(user).eventCount() == 3);
        Map<String, Double> overall = store.trending(10_000);
        assertThat(overall).containsKeys(a, b, unknown);
        // one event time: the merged scores keep the ratio of the weights (purchase 4, click 2, view 1)
        assertThat(overall.get(a) / overall.get(b)).isCloseTo(2.0, within(1e-9));
        assertThat(overall.get(b) / overall.get(unknown)).isCloseTo(2.0, within(1e-9));
        assertThat(List.copyOf(overall.keySet())).containsSubsequence(a, b, unknown);
        assertThat(redis.opsForZSet().score(RedisKeys.TRENDING_UNCATEGORIZED, a)).isNull();
    }

    @Test
    void sessionsMakeCoVisitationsAndImpressionsAndClicksMakeCtrCounters() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        String b = item("b", "books", new float[] {0, 1, 0, 0});
        String c = item("c", "books", new float[] {0, 0, 1, 0});
        Instant t = Instant.now();
        List<Map<String, Object>> events = List.of(
                session(event(user, a, EventType.VIEW, t), "s1"),
                session(event(user, b, EventType.VIEW, t.plusSeconds(1)), "s1"),
                session(event(user, c, EventType.VIEW, t.plusSeconds(2)), "s2"),   // another session: no pair
                impression(user, a, "req-" + run, 0, t.plusSeconds(3)),
                impression(user, c, "req-" + run, 1, t.plusSeconds(3)),
                event(user, a, EventType.CLICK, t.plusSeconds(4)));
        postBatch(events);

        await(() -> store.user(user).eventCount() == 4);
        assertThat(store.coVisited(a, 10)).containsEntry(b, 1.0).doesNotContainKey(c);
        assertThat(store.coVisited(b, 10)).containsEntry(a, 1.0);
        assertThat(store.coVisited(c, 10)).isEmpty();
        var features = store.items(List.of(a, c));
        assertThat(features.get(a).impressions()).isEqualTo(1);
        assertThat(features.get(a).clicks()).isEqualTo(1);
        assertThat(features.get(c).impressions()).isEqualTo(1);
        assertThat(features.get(c).clicks()).isZero();
    }

    @Test
    void impressionFollowedByClickIsAPositiveExampleAndOneWithoutIsANegativeAfterTheWindow() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        String b = item("b", "books", new float[] {0, 1, 0, 0});
        String request = "req-" + run;
        // now, not in the past: labels are due by their partition's event time, which other tests' events (stamped
        // now) advance; an impression from the past could be judged before its click is read (see docs/architecture)
        Instant t = Instant.now();
        postBatch(List.of(impression(user, a, request, 0, t), impression(user, b, request, 1, t),
                event(user, a, EventType.CLICK, t.plusSeconds(5))));
        await(() -> store.user(user).eventCount() == 1);
        passLabelWindow(user, a, t);

        assertClickedAndNotClicked(examplesOf(request, 2), a, b);
    }

    /**
     * The gateway batches its impressions (its producer's linger.ms) while a client sends its click as soon as it has
     * the list, so a click can reach the stream first: it waits for the impression of the request it names.
     */
    @Test
    void aClickThatReachesTheStreamBeforeItsImpressionIsStillAPositiveExample() throws Exception {
        String user = "u-early-" + run;
        String a = item("ea", "books", new float[] {1, 0, 0, 0});
        String b = item("eb", "books", new float[] {0, 1, 0, 0});
        String c = item("ec", "books", new float[] {0, 0, 1, 0});
        String request = "req-early-" + run;
        Instant t = Instant.now();
        postBatch(List.of(engaged(user, a, EventType.CLICK, request, 0, t.plusMillis(500)),
                impression(user, a, request, 0, t), impression(user, b, request, 1, t),
                // a click naming a request whose impression never comes: it waits, then goes without a label
                engaged(user, c, EventType.CLICK, "req-lost-" + run, 0, t.plusSeconds(1))));
        await(() -> store.user(user).eventCount() == 2);
        passLabelWindow(user, a, t);

        assertClickedAndNotClicked(examplesOf(request, 2), a, b);
        await(() -> pendingOf(user).isEmpty());
    }

    /**
     * The label flusher resolves due impressions on its own thread while the consumer joins clicks to the same users'
     * pending impressions: if either worked on a stale copy, an impression would be labelled twice (a negative from
     * the flush and a positive from the click, or a negative again later) or never.
     */
    @Test
    void everyImpressionIsLabelledExactlyOnceWhileTheFlusherAndTheConsumerWorkOnTheSameUsers() throws Exception {
        int users = 2000;
        int shown = 5;
        // shown 40 min ago: not due while the partitions' clocks stay there, all due (window 30 min) once they
        // see an event stamped now
        Instant shownAt = Instant.now().minus(Duration.ofMinutes(40));
        String request = "req-" + run;
        List<Map<String, Object>> impressions = new ArrayList<>();
        List<Map<String, Object>> clicks = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < shown; i++) {
                String user = "u-" + run + "-" + u;
                impressions.add(impression(user, "it-" + i, request + "-" + u, i, shownAt.plusMillis(u)));
                clicks.add(event(user, "it-" + i, EventType.CLICK, shownAt.plusSeconds(10 + i)));
            }
        }
        for (int from = 0; from < impressions.size(); from += 1000) {
            postBatch(impressions.subList(from, from + 1000));
        }
        // every partition's clock jumps to now, then the clicks come, users mixed, batch after batch: the flusher
        // resolves the users' impressions while the consumer joins clicks to them (a click within the window is a
        // positive only if its impression is still pending when the consumer reads it)
        List<Map<String, Object>> now = new ArrayList<>();
        for (int p = 0; p < 64; p++) {
            now.add(event("clock-" + run + "-" + p, "it-0", EventType.VIEW, Instant.now()));
        }
        postBatch(now);
        java.util.Collections.shuffle(clicks, new java.util.Random(7));
        for (int from = 0; from < clicks.size(); from += 250) {
            postBatch(clicks.subList(from, from + 250));
        }

        Map<String, Integer> labels = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer("examples-" + run)) {
            consumer.subscribe(List.of(Topics.EXAMPLES));
            Instant deadline = Instant.now().plusSeconds(60);
            Instant quietUntil = null; // once all are in, keep reading a while: a second label would come late
            while (Instant.now().isBefore(deadline) && (quietUntil == null || Instant.now().isBefore(quietUntil))) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode x = json.readTree(rec.value());
                    if (x.get("requestId").asString().startsWith(request + "-")) {
                        labels.merge(x.get("requestId").asString() + "/" + x.get("itemId").asString(), 1,
                                Integer::sum);
                    }
                }
                if (quietUntil == null && labels.size() == users * shown) {
                    quietUntil = Instant.now().plusSeconds(3);
                }
            }
        }
        assertThat(labels).as("one label per impression").hasSize(users * shown);
        assertThat(labels.entrySet()).filteredOn(e -> e.getValue() > 1).as("impressions labelled twice").isEmpty();
    }

    @Test
    void replayedEventCountsOnce() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        Instant t = Instant.now();
        Map<String, Object> once = event(user, a, EventType.CLICK, t);
        assertThat(post("/events", once).statusCode()).isEqualTo(202);
        assertThat(post("/events", once).statusCode()).isEqualTo(202);
        assertThat(post("/events", event(user, a, EventType.VIEW, t)).statusCode()).isEqualTo(202);

        await(() -> store.user(user).eventCount() >= 2);
        Thread.sleep(500);
        assertThat(store.user(user).eventCount()).isEqualTo(2);
        assertThat(store.user(user).categoryWeights()).containsEntry("books", 3.0); // click 2 + view 1, once each
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

    /** Not JSON, the JSON literal {@code null}, and an event that breaks the schema (an id with a space). */
    @Test
    void poisonMessagesLandInDeadLetterTopicWithTheirReasonAndConsumerGoesOn() throws Exception {
        String user = "u-" + run;
        List<String> poisons = List.of("{not json " + run, "null", "{\"eventId\":\"e " + run + "\",\"userId\":\"" + user
                + "\",\"itemId\":\"i1\",\"type\":\"view\",\"timestamp\":\"2026-11-23T12:00:00Z\"}");
        for (String poison : poisons) {
            kafka.send(Topics.EVENTS, user, poison).get();
        }
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        assertThat(post("/events", event(user, a, EventType.VIEW)).statusCode()).isEqualTo(202);
        await(() -> store.user(user).eventCount() == 1);

        Map<String, String> reasons = deadLetterReasons(user, poisons.size());
        assertThat(reasons).as("poison messages in " + Topics.EVENTS_DEAD_LETTER).containsOnlyKeys(poisons);
        assertThat(reasons.values()).allSatisfy(reason -> assertThat(reason).isNotBlank());
        assertThat(reasons.get(poisons.get(2))).contains("eventId");
    }

    /**
     * Each interaction follows the user's previous items whatever their sessions: the one just before weighs 5, the
     * one before it 4; impressions are no steps.
     */
    @Test
    void sequencesMakeTransitionsAcrossSessionsAndImpressionsAreNoSteps() throws Exception {
        String user = "u-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        String b = item("b", "toys", new float[] {0, 1, 0, 0});
        String c = item("c", "toys", new float[] {0, 0, 1, 0});
        String shown = item("shown", "toys", new float[] {0, 0, 0, 1});
        Instant t = Instant.now();
        postBatch(List.of(session(event(user, a, EventType.VIEW, t), "s1"),
                session(event(user, b, EventType.VIEW, t.plusSeconds(1)), "s2"),
                impression(user, shown, "req-" + run, 0, t.plusSeconds(2)),
                session(event(user, c, EventType.CLICK, t.plusSeconds(3)), "s3")));
        await(() -> store.user(user).eventCount() == 3);

        assertThat(redis.opsForZSet().score(RedisKeys.transitions(a), b)).isEqualTo(5.0);
        assertThat(redis.opsForZSet().score(RedisKeys.transitions(a), c)).isEqualTo(4.0);
        assertThat(redis.opsForZSet().score(RedisKeys.transitions(b), c)).isEqualTo(5.0);
        assertThat(redis.opsForZSet().size(RedisKeys.transitions(c))).isZero();
        // three events: the recent items are the whole history, no history key
        assertThat(redis.hasKey(RedisKeys.history(user))).isFalse();
    }

    /** Past the 30 recent items a user's state keeps, the history key holds every item, the first ones included. */
    @Test
    void aHistoryLongerThanTheRecentItemsKeepsEveryItem() throws Exception {
        String user = "u-" + run;
        Instant t = Instant.now().minusSeconds(100);
        List<Map<String, Object>> events = new java.util.ArrayList<>();
        List<String> items = new java.util.ArrayList<>();
        for (int i = 0; i < 33; i++) {
            String item = "hist-" + i + "-" + run;
            items.add(item);
            events.add(event(user, item, EventType.VIEW, t.plusSeconds(i)));
        }
        postBatch(events);
        await(() -> store.user(user).eventCount() == 33);

        assertThat(redis.opsForZSet().range(RedisKeys.history(user), 0, -1)).containsExactlyElementsOf(items);
        assertThat(redis.getExpire(RedisKeys.history(user))).isPositive();
    }

    /**
     * The defect that stopped every feature update: one event from the year 300,000,000 (and one from 9999, which moved
     * every decay landmark). The API refuses both, naming the field; the same records put on the topic by another
     * producer go to the dead-letter topic, and events of other users posted after them are applied.
     */
    @Test
    void eventsFromTheFarFutureAreRefusedAndNeverStopTheStream() throws Exception {
        String user = "u-" + run;
        String other = "v-" + run;
        String a = item("a", "books", new float[] {1, 0, 0, 0});
        for (String far : List.of("+300000000-01-01T00:00:00Z", "9999-01-01T00:00:00Z",
                Instant.now().plus(Duration.ofHours(2)).toString())) {
            Map<String, Object> event = new java.util.HashMap<>(event(user, a, EventType.CLICK));
            event.put("timestamp", far);
            HttpResponse<String> refused = post("/events", event);
            assertThat(refused.statusCode()).as(far).isEqualTo(400);
            assertThat(json.readTree(refused.body()).get("errors").get(0).get("field").asString())
                    .isEqualTo("timestamp");
            HttpResponse<String> batch = post("/events/batch", Map.of("events",
                    List.of(event(user, a, EventType.VIEW), event)));
            assertThat(batch.statusCode()).isEqualTo(400);
            assertThat(json.readTree(batch.body()).get("errors").get(0).get("field").asString())
                    .isEqualTo("events[1].timestamp");
        }
        List<String> poisons = List.of("+300000000-01-01T00:00:00Z", "9999-01-01T00:00:00Z").stream()
                .map(ts -> "{\"eventId\":\"far-" + ts.substring(0, 5).replace("+", "p") + "-" + run
                        + "\",\"userId\":\"" + user + "\",\"itemId\":\"" + a
                        + "\",\"type\":\"click\",\"timestamp\":\"" + ts + "\"}").toList();
        for (String poison : poisons) {
            kafka.send(Topics.EVENTS, user, poison).get();
        }
        assertThat(post("/events", event(user, a, EventType.VIEW)).statusCode()).isEqualTo(202);
        assertThat(post("/events", event(other, a, EventType.VIEW)).statusCode()).isEqualTo(202);
        await(() -> store.user(other).eventCount() == 1 && store.user(user).eventCount() == 1);
        assertThat(deadLetterReasons(user, poisons.size())).containsOnlyKeys(poisons)
                .allSatisfy((value, reason) -> assertThat(reason).startsWith("timestamp: must not be more than"));
    }

    /**
     * A valid event the feature maths cannot apply (its item's vector in Redis is 3 bytes, corrupt) fails its batch
     * every time: after a few tries the batch is applied event by event, that one goes to the dead-letter topic with
     * the reason and the others in the same batch are applied.
     */
    @Test
    void anEventThatFailsEveryTimeIsDeadLetteredAndTheRestOfItsBatchIsApplied() throws Exception {
        String user = "u-" + run;
        String good = item("g", "books", new float[] {1, 0, 0, 0});
        String corrupt = "it-corrupt-" + run;
        redis.execute((RedisCallback<Object>) c -> {
            c.hashCommands().hSet(FeatureStore.bytes(RedisKeys.item(corrupt)),
                    FeatureStore.bytes(RedisKeys.ITEM_VECTOR), new byte[] {1, 2, 3});
            return null;
        });
        Map<String, Object> poison = event(user, corrupt, EventType.CLICK);
        postBatch(List.of(event(user, good, EventType.VIEW), poison, event(user, good, EventType.CLICK)));
        await(() -> store.user(user).eventCount() == 2);
        Map<String, String> reasons = deadLetterReasons(user, 1);
        assertThat(reasons).hasSize(1);
        assertThat(reasons.keySet().iterator().next()).contains((String) poison.get("eventId"));
        assertThat(reasons.values().iterator().next()).contains("not applicable").contains("multiple of 4");
        // the stream goes on
        assertThat(post("/events", event(user, good, EventType.VIEW)).statusCode()).isEqualTo(202);
        await(() -> store.user(user).eventCount() == 3);
    }

    /** The dead-lettered records of {@code user} (value → reason), waiting up to 20 s for {@code expected} of them. */
    private Map<String, String> deadLetterReasons(String user, int expected) {
        Map<String, String> reasons = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer("dlt-" + user + "-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(Topics.EVENTS_DEAD_LETTER));
            Instant deadline = Instant.now().plusSeconds(20);
            while (reasons.size() < expected && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    if (user.equals(rec.key())) {
                        reasons.put(rec.value(), new String(rec.headers().lastHeader("marquee-dlt-reason").value(),
                                StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return reasons;
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
        return event(user, item, type, Instant.now());
    }

    private static Map<String, Object> event(String user, String item, EventType type, Instant at) {
        return Map.of("eventId", "e-" + UUID.randomUUID(), "userId", user, "itemId", item,
                "type", type.wireName(), "timestamp", at.toString());
    }

    private static Map<String, Object> session(Map<String, Object> event, String sessionId) {
        Map<String, Object> out = new java.util.HashMap<>(event);
        out.put("sessionId", sessionId);
        return out;
    }

    private static Map<String, Object> impression(String user, String item, String request, int position, Instant at) {
        Map<String, Object> out = new java.util.HashMap<>(event(user, item, EventType.IMPRESSION, at));
        out.put("context", Map.of("requestId", request, "position", position, "page", "home"));
        return out;
    }

    /**
     * Moves event time past the 30 min label window (two events 31 minutes later, within the hour of clock skew the
     * API accepts; the flush runs between batches).
     */
    private void passLabelWindow(String user, String item, Instant t) throws Exception {
        assertThat(post("/events", event(user, item, EventType.VIEW, t.plusSeconds(1860))).statusCode()).isEqualTo(202);
        Thread.sleep(1100);
        assertThat(post("/events", event(user, item, EventType.VIEW, t.plusSeconds(1861))).statusCode()).isEqualTo(202);
    }

    /** The labelled examples of {@code request} by item, read from the examples topic until {@code expected} came. */
    private Map<String, JsonNode> examplesOf(String request, int expected) {
        Map<String, JsonNode> examples = new java.util.HashMap<>();
        try (KafkaConsumer<String, String> consumer = consumer("examples-" + request)) {
            consumer.subscribe(List.of(Topics.EXAMPLES));
            Instant deadline = Instant.now().plusSeconds(30);
            while (examples.size() < expected && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode x = json.readTree(rec.value());
                    if (request.equals(x.get("requestId").asString())) {
                        examples.put(x.get("itemId").asString(), x);
                    }
                }
            }
        }
        return examples;
    }

    /** The examples of one request: {@code clicked} (at 0) a positive click, {@code notClicked} (at 1) a negative. */
    private static void assertClickedAndNotClicked(Map<String, JsonNode> examples, String clicked, String notClicked) {
        assertThat(examples).containsOnlyKeys(clicked, notClicked);
        assertThat(examples.get(clicked).get("label").asInt()).isEqualTo(1);
        assertThat(examples.get(clicked).get("outcome").asString()).isEqualTo("click");
        assertThat(examples.get(clicked).get("position").asInt()).isEqualTo(0);
        assertThat(examples.get(notClicked).get("label").asInt()).isZero();
        assertThat(examples.get(notClicked).get("position").asInt()).isEqualTo(1);
    }

    /** What waits for the label join in the user's stored state. */
    private Map<String, String> pendingOf(String user) {
        byte[] stored = redis.execute((RedisCallback<byte[]>) c -> c.stringCommands()
                .get(FeatureStore.bytes(RedisKeys.user(user))));
        return UserState.fromBytes(stored).pending();
    }

    private static Map<String, Object> engaged(String user, String item, EventType type, String request, int position,
                                               Instant at) {
        Map<String, Object> out = new java.util.HashMap<>(event(user, item, type, at));
        out.put("context", Map.of("requestId", request, "position", position, "page", "home"));
        return out;
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getProperty("spring.kafka.bootstrap-servers"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** Posts the events as one batch, which the ingest service accepts (202). */
    private void postBatch(List<Map<String, Object>> events) throws Exception {
        assertThat(post("/events/batch", Map.of("events", events)).statusCode()).isEqualTo(202);
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
