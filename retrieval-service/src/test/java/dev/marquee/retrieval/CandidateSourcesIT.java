package dev.marquee.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserState;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.PopularList;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.retrieval.source.CandidateRetriever;
import dev.marquee.retrieval.source.SimilarItems;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Co-visitation and category candidates from the feature store the stream consumer keeps, on the real Redis: the
 * user's state, {@code cv:<item>} and the per-category trending set, written in their stored formats.
 */
@SpringBootTest(properties = {
        // this test is about what the sources propose; a cold JVM on a busy CI box can miss the 20 ms budgets
        "marquee.retrieval.co-visitation-budget=5s", "marquee.retrieval.category-budget=5s",
        "marquee.retrieval.popular-budget=5s"})
@NeedsInfrastructure
class CandidateSourcesIT {
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Autowired
    CandidateRetriever retriever;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    SimilarItems similar;
    @Autowired
    FeatureStore store;

    @Test
    void similarItemsAreCoVisitedOnesForAKnownItemAndNothingForAnUnknownOne() {
        String item = "sim-" + run;
        String neighbour = "sim-n-" + run;
        redis.opsForHash().put(RedisKeys.item(item), RedisKeys.ITEM_CATEGORY, "books");
        redis.opsForZSet().add(RedisKeys.coVisits(item), neighbour, 2);

        SimilarResponse response = similar.similar(item, 10).orElseThrow();

        assertThat(response.candidates()).extracting(Candidate::itemId).contains(neighbour).doesNotContain(item);
        assertThat(response.candidates().get(0).source()).isEqualTo("CoVisited");
        assertThat(similar.similar("unknown-" + run, 10)).isEmpty();
    }

    @Test
    void coVisitedAndCategoryItemsAreCandidatesWithTheirProvenanceAndSeenItemsAreNot() {
        String user = "cs-user-" + run;
        String seen = "cs-seen-" + run;
        String older = "cs-older-" + run;
        String category = "cs-cat-" + run;
        UserState state = UserState.empty();
        state.addRecent(older, 30);
        state.addRecent(seen, 30);
        state.addCategory(1.0, category, 5.0, 16);
        redis.execute((RedisCallback<Object>) c -> {
            c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)), state.toBytes());
            return null;
        });
        String pairedWithLatest = "cs-pair-latest-" + run;
        String pairedWithOlder = "cs-pair-older-" + run;
        redis.opsForZSet().add(RedisKeys.coVisits(seen), pairedWithLatest, 3);
        redis.opsForZSet().add(RedisKeys.coVisits(seen), older, 9); // seen by the user: never a candidate
        redis.opsForZSet().add(RedisKeys.coVisits(older), pairedWithOlder, 3);
        String trending = "cs-trending-" + run;
        redis.opsForZSet().add(RedisKeys.trending(category), trending, 10);
        redis.opsForZSet().add(RedisKeys.trending(category), seen, 20);

        CandidatesResponse response = retriever.retrieve(user, 50);

        Map<String, Candidate> byId = response.candidates().stream()
                .collect(Collectors.toMap(Candidate::itemId, c -> c));
        assertThat(byId).doesNotContainKeys(seen, older);
        assertThat(byId.get(pairedWithLatest).source()).isEqualTo("CoVisited");
        assertThat(byId.get(pairedWithOlder).source()).isEqualTo("CoVisited");
        // the latest item's neighbour outweighs an equally frequent neighbour of an older one
        assertThat(byId.get(pairedWithLatest).score()).isGreaterThan(byId.get(pairedWithOlder).score());
        assertThat(byId.get(pairedWithLatest).reason()).isEqualTo("Because you viewed " + seen);   // no title: the id
        assertThat(byId.get(trending).source()).isEqualTo("InYourCategories");
        assertThat(byId.get(trending).reason()).isEqualTo("Trending in " + category);
        List<String> sources = response.sources().stream().map(CandidatesResponse.SourceReport::source).toList();
        assertThat(sources).contains("CoVisited", "InYourCategories", "Popular");
    }

    @Test
    void aUserWithoutHistoryGetsPopularItemsAndTheSourcesWithNothingToGoOnAreSkippedNotFailed() {
        String popular = "cs-pop-" + run;
        redis.opsForZSet().add(RedisKeys.POPULAR, popular, 1e9); // one round trip at most per TTL: added before

        CandidatesResponse response;
        try {
            response = retriever.retrieve("cs-new-user-" + run, 20);
        } finally {
            redis.opsForZSet().remove(RedisKeys.POPULAR, popular);
        }

        Map<String, String> status = response.sources().stream().collect(Collectors.toMap(
                CandidatesResponse.SourceReport::source, CandidatesResponse.SourceReport::status));
        assertThat(status).containsEntry("Ann", "skipped").containsEntry("YourInterests", "skipped")
                .containsEntry("CoVisited", "skipped").containsEntry("InYourCategories", "skipped")
                .containsEntry("Popular", "ok");
        assertThat(response.degraded()).isFalse();
        assertThat(response.candidates()).isNotEmpty().allMatch(c -> c.source().equals("Popular"));
    }

    @Test
    void aCoVisitedItemIsExplainedByTheTitleOfTheRecentItemItCameFrom() {
        String user = "cs-title-user-" + run;
        String seen = "cs-title-seen-" + run;
        String neighbour = "cs-title-pair-" + run;
        UserState state = UserState.empty();
        state.addRecent(seen, 30);
        redis.execute((RedisCallback<Object>) c -> {
            c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)), state.toBytes());
            return null;
        });
        redis.opsForHash().put(RedisKeys.item(seen), RedisKeys.ITEM_TITLE, "The Long Walk");
        redis.opsForZSet().add(RedisKeys.coVisits(seen), neighbour, 4);

        Candidate found = retriever.retrieve(user, 20).candidates().stream()
                .filter(c -> c.itemId().equals(neighbour)).findFirst().orElseThrow();

        assertThat(found.source()).isEqualTo("CoVisited");
        assertThat(found.reason()).isEqualTo("Because you viewed The Long Walk");
    }

    @Test
    void categoryListsAreReadOncePerTtlForEveryoneThenReadAgain() throws InterruptedException {
        String category = "cs-cached-" + run;
        redis.opsForZSet().add(RedisKeys.trending(category), "cs-first-" + run, 5);
        PopularList lists = new PopularList(store, java.time.Duration.ofSeconds(2));

        assertThat(lists.trendingAndPopularIfCached(List.of(category), 10)).isNull();
        assertThat(lists.trendingAndPopular(List.of(category), 10).get(category).get(0))
                .containsOnlyKeys("cs-first-" + run);
        // in memory now, for up to as many items as were read (a size step of 64), not for another category
        assertThat(lists.trendingAndPopularIfCached(List.of(category), 20).get(category).get(0))
                .containsOnlyKeys("cs-first-" + run);
        assertThat(lists.trendingAndPopularIfCached(List.of(category, "cs-none-" + run), 10)).isNull();
        redis.opsForZSet().add(RedisKeys.trending(category), "cs-second-" + run, 50);
        // within the TTL: the same lists from memory, for this category and a request for a few more items
        assertThat(lists.trendingAndPopular(List.of(category), 20).get(category).get(0))
                .containsOnlyKeys("cs-first-" + run);
        // an unknown category: empty lists, not an error
        assertThat(lists.trendingAndPopular(List.of("cs-none-" + run), 10).get("cs-none-" + run))
                .containsExactly(Map.of(), Map.of());
        long deadline = System.nanoTime() + 10_000_000_000L;
        Map<String, Double> trending;
        do {
            Thread.sleep(200);
            trending = lists.trendingAndPopular(List.of(category), 10).get(category).get(0);
        } while (trending.size() < 2 && System.nanoTime() < deadline);
        assertThat(trending.keySet()).containsExactly("cs-second-" + run, "cs-first-" + run);
    }
}
