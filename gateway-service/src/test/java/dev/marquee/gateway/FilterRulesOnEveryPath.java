package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserState;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The filter rules hold on every path a list can take (ranked, retrieval order, popular): one subclass per path, one
 * row per rule. In each row a forbidden item tops every list the path could serve (overall and per-category popular,
 * so also every candidate source that reads them) with five allowed items below it; the answer must come from the
 * subclass's path, hold allowed items and never the forbidden one.
 */
abstract class FilterRulesOnEveryPath {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** What makes the forbidden item forbidden. */
    enum Rule {
        EXCLUDED_BY_THE_CALLER, IN_AN_EXCLUDED_CATEGORY, OUTSIDE_THE_INCLUDED_CATEGORIES, WITHDRAWN_BY_THE_CATALOG,
        SEEN_RECENTLY, SEEN_LONG_AGO
    }

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> items = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    JsonMapper json;

    /** Asserts that the answer came from the path this subclass is about. */
    abstract void assertServedByThePath(JsonNode answer);

    @AfterEach
    void clean() {
        redis.opsForZSet().remove(RedisKeys.POPULAR, items.toArray());
        redis.opsForSet().remove(RedisKeys.INACTIVE_ITEMS, items.toArray());
        items.forEach(id -> keys.add(RedisKeys.item(id)));
        redis.delete(keys);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Rule.class)
    void theForbiddenItemIsNeverServed(Rule rule) throws Exception {
        String user = "fr-user-" + rule.ordinal() + "-" + run;
        String allowedCategory = "fr-ok-" + run;
        String otherCategory = "fr-other-" + run;
        boolean ownCategory = rule == Rule.IN_AN_EXCLUDED_CATEGORY || rule == Rule.OUTSIDE_THE_INCLUDED_CATEGORIES;
        Random random = new Random(rule.ordinal());
        String forbidden = item("fr-forbidden-" + run, ownCategory ? otherCategory : allowedCategory, 0, random);
        List<String> allowed = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            allowed.add(item("fr-ok-" + i + "-" + run, allowedCategory, i, random));
        }
        Map<String, Object> filters = new HashMap<>();
        UserState state = UserState.empty();
        switch (rule) {
            case EXCLUDED_BY_THE_CALLER -> filters.put("excludeItems", List.of(forbidden));
            case IN_AN_EXCLUDED_CATEGORY -> filters.put("excludeCategories", List.of(otherCategory));
            case OUTSIDE_THE_INCLUDED_CATEGORIES -> filters.put("includeCategories", List.of(allowedCategory));
            case WITHDRAWN_BY_THE_CATALOG -> redis.opsForSet().add(RedisKeys.INACTIVE_ITEMS, forbidden);
            case SEEN_RECENTLY -> {
                state.addRecent(forbidden, 30);
                state.countEvent();
                redis.opsForZSet().add(RedisKeys.history(user), forbidden, 1);
            }
            case SEEN_LONG_AGO -> { // in the whole history, no longer among the recent items
                state.addRecent("fr-elsewhere-" + run, 30);
                for (int i = 0; i < 40; i++) {
                    state.countEvent();
                }
                redis.opsForZSet().add(RedisKeys.history(user), forbidden, 1);
            }
        }
        redis.execute((RedisCallback<Object>) c -> {
            c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)), state.toBytes());
            return null;
        });
        keys.addAll(List.of(RedisKeys.user(user), RedisKeys.history(user), RedisKeys.popular(allowedCategory),
                RedisKeys.popular(otherCategory)));

        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + env.getProperty("local.server.port") + "/recommend"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(
                        Map.of("userId", user, "k", 5, "filters", filters)))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode answer = json.readTree(r.body());
        assertServedByThePath(answer);
        List<String> ids = new ArrayList<>();
        answer.get("items").forEach(i -> ids.add(i.get("itemId").asString()));
        assertThat(ids).as(r.body()).doesNotContain(forbidden).containsAnyElementsOf(allowed);
    }

    /** An item as the embedder and the stream consumer write it, {@code rank} places down the popular lists. */
    private String item(String id, String category, int rank, Random random) {
        items.add(id);
        TestItems.item(redis, id, category, 10 + rank, random);
        redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e15 - rank);
        redis.opsForZSet().add(RedisKeys.popular(category), id, 1e15 - rank);
        return id;
    }
}
