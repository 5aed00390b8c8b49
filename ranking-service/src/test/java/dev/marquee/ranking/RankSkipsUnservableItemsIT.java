package dev.marquee.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.train.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /rank} on the real Redis: items withdrawn from the catalog and items Redis does not know are not ranked;
 * a malformed candidate list is a 400.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.ranking.model-dir=target/skip-models-${random.uuid}"})
@NeedsInfrastructure
class RankSkipsUnservableItemsIT {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    @Autowired
    Environment env;
    @Autowired
    JsonMapper json;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    ModelRegistry registry;
    @Autowired
    RankingProperties props;

    @Test
    void inactiveAndUnknownItemsAreLeftOutOfTheRanking() throws Exception {
        if (registry.champion().isEmpty()) {
            registry.promote(TestModels.tasteOnly(props, 3));
        }
        RedisFixture fixture = new RedisFixture(redis);
        List<String> ids = List.of("sk-a-" + run, "sk-b-" + run, "sk-withdrawn-" + run);
        ids.forEach(id -> fixture.item(id, "books", 10, new float[] {1, 0, 0, 0}));
        redis.opsForSet().add(RedisKeys.INACTIVE_ITEMS, ids.get(2));
        String unknown = "sk-unknown-" + run;

        RankRequest request = new RankRequest("sk-user-" + run, List.of(new Candidate(ids.get(0), 1, "Popular"),
                new Candidate(ids.get(2), 1, "Popular"), new Candidate(unknown, 1, "Popular"),
                new Candidate(ids.get(1), 1, "Popular")), null);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + env.getProperty("local.server.port") + "/rank"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json.readValue(r.body(), RankResponse.class).items()).extracting(RankResponse.ScoredItem::itemId)
                .containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    }

    /** Found by the fuzzer: a null candidate, or one without an item id, was a 500. */
    @Test
    void aNullCandidateOrOneWithoutAnItemIdIs400NamingIt() throws Exception {
        assertBadRequestNaming("[null]", "candidates[0]");
        assertBadRequestNaming("[{\"itemId\": null, \"score\": 0, \"source\": \"\"}]", "candidates[0].itemId");
    }

    private void assertBadRequestNaming(String candidates, String field) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + env.getProperty("local.server.port") + "/rank"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"sk-user\", \"candidates\": "
                        + candidates + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json.readTree(r.body()).get("errors").get(0).get("field").asString()).isEqualTo(field);
    }
}
