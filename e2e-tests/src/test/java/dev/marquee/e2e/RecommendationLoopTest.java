package dev.marquee.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.World;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The whole loop on the running stack (real Kafka, Redis, Milvus, T5 on DJL, XGBoost): a catalog and a history go in
 * through ingest, a model is trained, and a user who starts clicking one topic gets that topic back from /recommend.
 */
class RecommendationLoopTest {
    private static final int K = 10;
    private final Stack stack = Stack.fromEnvironment();
    private final String run = "e2e" + UUID.randomUUID().toString().substring(0, 6) + "-";
    private final World world = new World(11, 15, 40, run);

    @Test
    void userWhoClicksOneTopicGetsMostlyThatTopicAndANewList() throws Exception {
        Scenario.catalog(stack, world);
        Scenario.history(stack, world, 15);
        JsonNode training = Scenario.trainedModel(stack);
        assertThat(training.get("auc").asDouble()).isGreaterThan(0.6);
        String servedModel = stack.get("ranking", "/models/champion").json().get("version").asString();

        // first calls on freshly started JVMs may exceed the gateway's time budgets (and are then served degraded)
        awaitRecommendation(run + "warm-up", r -> !r.get("degraded").asBoolean());
        String target = run + "target";
        JsonNode before = recommend(target);
        assertThat(before.get("items").size()).isEqualTo(K);
        assertThat(before.get("degraded").asBoolean()).as(before.toString()).isFalse();

        int topic = 1;
        String topicName = world.topicList().get(topic).name();
        List<CatalogItem> liked = world.itemsOf(topic).subList(0, 6);
        List<InteractionEvent> clicks = new ArrayList<>();
        for (CatalogItem item : liked) {
            clicks.add(new InteractionEvent("ev-" + UUID.randomUUID(), target, item.itemId(), EventType.CLICK,
                    Instant.now()));
        }
        assertThat(stack.post("ingest", "/events/batch", Map.of("events", clicks)).status()).isEqualTo(202);
        Scenario.awaitEventCount(stack, target, clicks.size());

        // a source past its budget (cold JIT, 2 busy cores) makes an answer degraded: wait for a complete one, ranked
        // by the champion (the gateway reloads it from the registry within marquee.ranking.reload-interval)
        Predicate<JsonNode> mostlyTopic = r -> count(r, id -> id.contains("-" + topicName + "-")) >= 7
                && !r.get("degraded").asBoolean() && servedModel.equals(r.path("modelVersion").asString(null));
        JsonNode after = awaitRecommendation(target, mostlyTopic);

        assertThat(count(after, id -> id.contains("-" + topicName + "-"))).as(after.toString()).isGreaterThanOrEqualTo(7);
        assertThat(ids(after)).doesNotContainAnyElementsOf(liked.stream().map(CatalogItem::itemId).toList());
        assertThat(ids(after)).isNotEqualTo(ids(before));
        assertThat(after.get("requestId").asString()).isNotBlank();
        assertThat(after.get("modelVersion").asString()).isEqualTo(servedModel);
        assertThat(after.get("degraded").asBoolean()).as(after.toString()).isFalse();
        after.get("items").forEach(i -> assertThat(i.get("score").isNumber()).isTrue());
        after.get("items").forEach(i -> assertThat(i.path("reason").asString()).as(i.toString()).isNotBlank());

        // item to item: the clicked items were one session (co-visitation) and share a topic (T5 neighbours)
        Stack.Response similar = stack.get("gateway", "/similar/" + liked.get(0).itemId() + "?k=" + K);
        for (int tries = 0; tries < 20 && similar.json().get("degraded").asBoolean(); tries++) {
            Thread.sleep(250);
            similar = stack.get("gateway", "/similar/" + liked.get(0).itemId() + "?k=" + K);
        }
        assertThat(similar.status()).as(similar.body()).isEqualTo(200);
        assertThat(similar.json().get("degraded").asBoolean()).as(similar.body()).isFalse();
        List<String> byText = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        similar.json().get("items").forEach(i -> {
            sources.add(i.get("source").asString());
            if ("SimilarText".equals(i.get("source").asString())) {
                byText.add(i.get("itemId").asString());
            }
        });
        assertThat(sources).as(similar.body()).contains("SimilarText", "CoVisited"); // sessions mix topics
        assertThat(byText.stream().filter(id -> id.contains("-" + topicName + "-")).count())
                .as(similar.body()).isGreaterThanOrEqualTo(Math.round(byText.size() * 0.7));
        assertThat(ids(similar.json())).doesNotContain(liked.get(0).itemId()).doesNotHaveDuplicates();
        Stack.Response popular = stack.get("gateway", "/popular?k=" + K);
        assertThat(popular.json().get("items").size()).as(popular.body()).isEqualTo(K);
    }

    @Test
    void swaggerUiAndOpenApiDescribeRecommend() {
        assertThat(stack.get("gateway", "/swagger-ui/index.html").status()).isEqualTo(200);
        Stack.Response docs = stack.get("gateway", "/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/recommend")).isTrue();
        assertThat(stack.get("ingest", "/v3/api-docs").json().get("paths").has("/events/batch")).isTrue();
    }

    @Test
    void invalidEventGetsProblemResponseNamingTheField() {
        Stack.Response r = stack.post("ingest", "/events", Map.of("eventId", "x1", "userId", "u1", "itemId", "i1",
                "type", "teleport", "timestamp", Instant.now().toString()));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("type");
    }

    private JsonNode recommend(String user) {
        Stack.Response r = stack.get("gateway", "/recommend?userId=" + user + "&k=" + K);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private JsonNode awaitRecommendation(String user, Predicate<JsonNode> condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        JsonNode last = recommend(user);
        while (!condition.test(last) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            last = recommend(user);
        }
        return last;
    }

    private static List<String> ids(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.get("items").forEach(i -> ids.add(i.get("itemId").asString()));
        return ids;
    }

    private static long count(JsonNode response, Predicate<String> p) {
        return ids(response).stream().filter(p).count();
    }
}
