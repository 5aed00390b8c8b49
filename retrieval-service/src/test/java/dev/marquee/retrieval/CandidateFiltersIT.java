package dev.marquee.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.retrieval.source.CandidateRetriever;
import dev.marquee.common.milvus.MilvusConnection;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import com.google.gson.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import dev.marquee.common.it.ItemCollections;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Category include/exclude and excluded items on the real Milvus and Redis: every source (ANN with the categories inside
 * Milvus and the excluded items dropped from a larger answer, the Redis-backed ones after the merge) keeps to the
 * filters, and a filter value cannot change the Milvus expression.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.retrieval.collection=" + CandidateFiltersIT.COLLECTION,
        "marquee.retrieval.ann-budget=5s", "marquee.retrieval.co-visitation-budget=5s",
        "marquee.retrieval.category-budget=5s", "marquee.retrieval.popular-budget=5s",
        "marquee.retrieval.ann-cache-ttl=0s", "marquee.retrieval.popular-cache-ttl=0s"})
@NeedsInfrastructure
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CandidateFiltersIT {
    static final String COLLECTION = "retrieval_filters_test";
    private static final int DIM = 8;
    /** A real catalog's category with quotes, brackets, a backslash, a slash and an emoji: one literal in Milvus. */
    static final String GAMMA = "Sci-Fi/Fantasy \"] or category != [\" \\ 🎬";
    private static final List<String> CATEGORIES = List.of("alpha", "beta", GAMMA);
    /** The categories' names in item ids. */
    private static final List<String> SLUGS = List.of("alpha", "beta", "gamma");
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String user = "flt-user-" + run;
    private final Map<String, String> categoryOf = new LinkedHashMap<>();

    @Autowired
    CandidateRetriever retriever;
    @Autowired
    MilvusConnection connection;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    Environment env;
    @Autowired
    JsonMapper json;

    /** The service's own client, once its background connection is made. */
    private MilvusClientV2 milvus() {
        connection.awaitConnected(java.time.Duration.ofSeconds(30));
        return connection.client();
    }

    /** 3 categories x 8 items, all near the user's taste; the user has seen one alpha item and likes alpha best. */
    @BeforeAll
    void catalogAndUser() throws InterruptedException {
        ItemCollections.createEmpty(milvus(), COLLECTION, DIM);
        float[] taste = new float[DIM];
        taste[0] = 1;
        List<JsonObject> rows = new ArrayList<>();
        for (int c = 0; c < CATEGORIES.size(); c++) {
            for (int i = 0; i < 8; i++) {
                String id = "flt-" + SLUGS.get(c) + "-" + i + "-" + run;
                categoryOf.put(id, CATEGORIES.get(c));
                float[] v = new float[DIM];
                v[0] = 1;
                v[1 + c] = 0.1f * (i + 1);
                rows.add(ItemCollections.row(id, Vectors.normalized(v), CATEGORIES.get(c)));
                redis.opsForHash().put(RedisKeys.item(id), RedisKeys.ITEM_CATEGORY, CATEGORIES.get(c));
                redis.opsForZSet().add(RedisKeys.POPULAR, id, 1e9 + i);
                redis.opsForZSet().add(RedisKeys.popular(CATEGORIES.get(c)), id, 1e9 + i);
            }
        }
        milvus().insert(InsertReq.builder().collectionName(COLLECTION).data(rows).build());
        // two items only Redis knows, viewed in sessions with the user's seen item: co-visitation proposes them
        for (String c : List.of("beta", GAMMA)) {
            String id = coVisited(c);
            categoryOf.put(id, c);
            redis.opsForHash().put(RedisKeys.item(id), RedisKeys.ITEM_CATEGORY, c);
            redis.opsForZSet().add(RedisKeys.coVisits(seen()), id, 5);
        }
        UserState state = UserState.empty();
        state.addTaste(1.0, taste, 1.0);
        state.addRecent(seen(), 30);
        state.addCategory(1.0, "alpha", 3.0, 16);
        state.addCategory(1.0, "beta", 1.0, 16);
        redis.execute((RedisCallback<Object>) c -> {
            c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)), state.toBytes());
            return null;
        });
        // bounded-staleness search: wait until the inserted rows are searchable
        Instant deadline = Instant.now().plusSeconds(60);
        while (annCount(RecommendFilters.NONE) < 20) {
            assertThat(Instant.now()).as("inserted rows never became searchable: "
                    + retrieve(RecommendFilters.NONE)).isBefore(deadline);
            Thread.sleep(250);
        }
    }

    @AfterAll
    void drop() {
        milvus().dropCollection(DropCollectionReq.builder().collectionName(COLLECTION).build());
        categoryOf.keySet().forEach(id -> redis.opsForZSet().remove(RedisKeys.POPULAR, id));
        CATEGORIES.forEach(c -> categoryOf.keySet().forEach(id -> redis.opsForZSet().remove(RedisKeys.popular(c), id)));
        categoryOf.keySet().forEach(id -> redis.delete(RedisKeys.item(id)));
        redis.delete(List.of(RedisKeys.user(user), RedisKeys.coVisits(seen())));
    }

    private String coVisited(String category) {
        return "flt-cv-" + SLUGS.get(CATEGORIES.indexOf(category)) + "-" + run;
    }

    private String seen() {
        return "flt-alpha-0-" + run;
    }

    /** How many items the ANN source proposed (before the merge). */
    private long annCount(RecommendFilters filters) {
        return retrieve(filters).sources().stream().filter(s -> s.source().equals("Ann"))
                .mapToLong(CandidatesResponse.SourceReport::count).sum();
    }

    private CandidatesResponse retrieve(RecommendFilters filters) {
        return retriever.retrieve(new CandidatesRequest(user, 20, filters, null));
    }

    @Test
    void includedCategoryIsTheOnlyOneFromEverySourceAnnIncluded() {
        CandidatesResponse r = retrieve(new RecommendFilters(List.of("beta"), null, null));

        assertThat(r.degraded()).as(r.reasons().toString()).isFalse();
        List<String> ours = r.candidates().stream().map(Candidate::itemId).filter(categoryOf::containsKey).toList();
        assertThat(ours).isNotEmpty();
        assertThat(ours).allSatisfy(id -> assertThat(categoryOf.get(id)).as(id).isEqualTo("beta"));
        // inside Milvus: only the 8 beta items, where unfiltered it proposes 20 of all three categories
        assertThat(annCount(new RecommendFilters(List.of("beta"), null, null))).isEqualTo(8);
        assertThat(r.candidates()).extracting(Candidate::source).contains("Ann");
        // after the merge: the co-visited beta item stays, the co-visited gamma one is dropped
        assertThat(ours).contains(coVisited("beta")).doesNotContain(coVisited(GAMMA));
    }

    @Test
    void excludedCategoriesAndItemsAndSeenItemsNeverAppear() {
        String excludedItem = "flt-beta-3-" + run;
        CandidatesResponse r = retrieve(new RecommendFilters(null, List.of("alpha"), List.of(excludedItem)));

        List<String> ours = r.candidates().stream().map(Candidate::itemId).filter(categoryOf::containsKey).toList();
        assertThat(ours).isNotEmpty().doesNotContain(excludedItem, seen());
        assertThat(ours).noneSatisfy(id -> assertThat(categoryOf.get(id)).isEqualTo("alpha"));
        assertThat(ours).anySatisfy(id -> assertThat(categoryOf.get(id)).isEqualTo(GAMMA));
        assertThat(ours).contains(coVisited("beta"), coVisited(GAMMA));
    }

    @Test
    void withoutFiltersEveryCategoryButTheSeenItemIsACandidate() {
        List<String> ours = retrieve(RecommendFilters.NONE).candidates().stream().map(Candidate::itemId)
                .filter(categoryOf::containsKey).toList();
        assertThat(ours).doesNotContain(seen());
        assertThat(ours.stream().map(categoryOf::get).distinct()).containsExactlyInAnyOrderElementsOf(CATEGORIES);
    }

    @Test
    void aCategoryWithQuotesBracketsAndAnEmojiIsOneLiteralInsideMilvus() throws Exception {
        CandidatesResponse r = retrieve(new RecommendFilters(List.of(GAMMA), null, null));

        assertThat(r.degraded()).as(r.reasons().toString()).isFalse();
        // inside Milvus: exactly the 8 items of that category; an injected "or" would have widened it to all 20
        assertThat(annCount(new RecommendFilters(List.of(GAMMA), null, null))).isEqualTo(8);
        assertThat(r.candidates()).extracting(Candidate::itemId).filteredOn(categoryOf::containsKey)
                .isNotEmpty().allSatisfy(id -> assertThat(categoryOf.get(id)).isEqualTo(GAMMA));
    }

    @Test
    void categoryThatTriesToCloseTheLiteralMatchesNothingAndIsNotDegraded() throws Exception {
        // had the value reached Milvus unescaped, the expression would not parse (degraded) or match every item
        assertOnlyALiteralThatMatchesNothing(List.of("beta\"] or category != [\"x", "b\\\" or 1==1"));
    }

    @Test
    void aCategoryWithAControlCharacterIsRefusedNamingTheField() throws Exception {
        HttpResponse<String> r = post(Map.of("userId", user, "n", 20,
                "filters", Map.of("includeCategories", List.of("beta\nor"))));

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode problem = json.readTree(r.body());
        assertThat(problem.get("errors").get(0).get("field").asString()).startsWith("filters.includeCategories");
    }

    @Test
    void categoryThatLooksLikeAnExpressionIsOnlyALiteralAndMatchesNothing() throws Exception {
        assertOnlyALiteralThatMatchesNothing(List.of("beta or category like x"));
    }

    /** Filtering on these categories answers (not degraded: Milvus parsed the expression) with none of ours. */
    private void assertOnlyALiteralThatMatchesNothing(List<String> categories) throws Exception {
        HttpResponse<String> r = post(Map.of("userId", user, "n", 20,
                "filters", Map.of("includeCategories", categories)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json.readTree(r.body());
        assertThat(body.get("degraded").asBoolean()).as(r.body()).isFalse();
        List<String> ids = new ArrayList<>();
        body.get("candidates").forEach(c -> ids.add(c.get("itemId").asString()));
        assertThat(ids).noneMatch(categoryOf::containsKey);
    }

    private HttpResponse<String> post(Map<String, Object> body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + env.getProperty("local.server.port") + "/candidates"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
