package dev.marquee.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserState;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.retrieval.source.CandidateRetriever;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The whole history is seen: a user who interacted with 2,000 items (30 of them in their recent list, all 2,000 in
 * {@code h:<user>} as the stream consumer keeps it) never gets one of them back, though they fill the top of the
 * popular list and of what followed the user's last item, one unseen item among twenty seen ones; the unseen items
 * further down make the list instead (the sources are asked again for more).
 */
@SpringBootTest(properties = {"marquee.retrieval.co-visitation-budget=5s", "marquee.retrieval.transition-budget=5s",
        "marquee.retrieval.category-budget=5s", "marquee.retrieval.popular-budget=5s",
        "marquee.retrieval.popular-cache-ttl=0s", "marquee.neighbours.cache-ttl=0s"})
@NeedsInfrastructure
class HistoryFilterIT {
    private static final int SEEN = 2000;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String user = "hist-user-" + run;
    private final List<String> keys = new ArrayList<>();
    private final Set<String> items = new java.util.LinkedHashSet<>();

    @Autowired
    CandidateRetriever retriever;
    @Autowired
    StringRedisTemplate redis;

    @AfterEach
    void clean() {
        redis.delete(keys);
        redis.opsForZSet().remove(RedisKeys.POPULAR, items.toArray());
    }

    @Test
    void aUserWithTwoThousandInteractionsNeverGetsOneBack() {
        UserState state = UserState.empty();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < SEEN; i++) {
            String item = item("seen", i);
            seen.add(item);
            state.addRecent(item, 30);
            state.countEvent();
            redis.opsForZSet().add(RedisKeys.history(user), item, i);
            // seen items are the most popular, and what followed the recent ones
            redis.opsForZSet().add(RedisKeys.POPULAR, item, 1e12 + 20 * i);
            redis.opsForZSet().add(RedisKeys.transitions(item("seen", SEEN - 1)), item, 20 * i);
        }
        List<String> unseen = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            unseen.add(item("new", i));
            redis.opsForZSet().add(RedisKeys.POPULAR, item("new", i), 1e12 + 20 * (SEEN - 1 - i) + 10);
            redis.opsForZSet().add(RedisKeys.transitions(item("seen", SEEN - 1)), item("new", i),
                    20 * (SEEN - 1 - i) + 10);
        }
        redis.execute((RedisCallback<Object>) c -> {
            c.stringCommands().set(FeatureStore.bytes(RedisKeys.user(user)), state.toBytes());
            return null;
        });
        keys.addAll(List.of(RedisKeys.user(user), RedisKeys.history(user), RedisKeys.transitions(item("seen",
                SEEN - 1))));

        CandidatesResponse r = retriever.retrieve(new CandidatesRequest(user, 50, RecommendFilters.NONE, null));

        List<String> ids = r.candidates().stream().map(Candidate::itemId).toList();
        assertThat(ids).as("candidates").isNotEmpty().doesNotContainAnyElementsOf(seen);
        assertThat(ids).allSatisfy(id -> assertThat(unseen).contains(id));
        assertThat(r.candidates()).anySatisfy(c -> assertThat(c.source()).isEqualTo("Transitions"));
    }

    private String item(String kind, int i) {
        String id = "hist-" + kind + "-" + i + "-" + run;
        items.add(id);
        return id;
    }
}
