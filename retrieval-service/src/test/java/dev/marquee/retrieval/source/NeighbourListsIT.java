package dev.marquee.retrieval.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.NeighbourLists;
import dev.marquee.common.redis.RedisKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The seed lists of co-visitation on the real Redis, with a clock of the test's own. */
@SpringBootTest
@NeedsInfrastructure
class NeighbourListsIT {
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    /** Co-visitation lists kept 1 s on the test's clock, read 20 deep. */
    private NeighbourLists lists;

    @BeforeEach
    void lists() {
        lists = new NeighbourLists(store, RedisKeys::coVisits, Duration.ofSeconds(1), 20, nanos::get);
    }

    @Test
    void aSeedsNeighboursAndTitleAreReusedWithinTheTtlAndRereadAfterIt() {
        String seed = "cvl-seed-" + run;
        String other = "cvl-other-" + run;
        redis.opsForZSet().add(RedisKeys.coVisits(seed), "n1", 2);
        redis.opsForHash().put(RedisKeys.item(seed), RedisKeys.ITEM_TITLE, "Seed title");
        assertThat(lists.of(List.of(seed), 10)).usingRecursiveComparison()
                .isEqualTo(store.coVisitedWithTitles(List.of(seed), 10));

        redis.opsForZSet().add(RedisKeys.coVisits(seed), "n2", 5);
        redis.opsForZSet().add(RedisKeys.coVisits(other), "n3", 1);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        FeatureStore.CoVisits within = lists.of(List.of(other, seed), 10);
        assertThat(within.neighbours().get(seed)).isEqualTo(Map.of("n1", 2.0));
        assertThat(within.neighbours().get(other)).isEqualTo(Map.of("n3", 1.0)); // not in memory: read
        assertThat(within.neighbours().keySet()).containsExactly(other, seed);
        assertThat(within.titles()).isEqualTo(Map.of(seed, "Seed title"));

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));

        assertThat(lists.of(List.of(seed), 10).neighbours().get(seed)).containsExactly(Map.entry("n2", 5.0),
                Map.entry("n1", 2.0));
    }

    @Test
    void ofIfCachedAnswersOnlyWhileTheListOfEverySeedIsInMemory() {
        String seed = "cvl-cached-" + run;
        String other = "cvl-cached-other-" + run;
        redis.opsForZSet().add(RedisKeys.coVisits(seed), "n1", 1);
        assertThat(lists.ofIfCached(List.of(seed), 10)).isNull();

        FeatureStore.CoVisits read = lists.of(List.of(seed), 10);

        assertThat(lists.ofIfCached(List.of(seed, seed), 10)).usingRecursiveComparison().isEqualTo(read);
        assertThat(lists.ofIfCached(List.of(seed, other), 10)).isNull();
        assertThat(lists.ofIfCached(List.of(seed), 20)).usingRecursiveComparison().isEqualTo(read); // one read
        assertThat(lists.ofIfCached(List.of(seed), 21)).isNull(); // deeper than was read
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1100));
        assertThat(lists.ofIfCached(List.of(seed), 10)).isNull();
        assertThat(new NeighbourLists(store, RedisKeys::coVisits, Duration.ZERO, 20, nanos::get).ofIfCached(List.of(), 10)).isNull();
    }

    @Test
    void callersAskingForFewerNeighboursShareOneReadAndGetTheStrongest() {
        String seed = "cvl-depth-" + run;
        for (int i = 1; i <= 30; i++) {
            redis.opsForZSet().add(RedisKeys.coVisits(seed), "n" + i, i);
        }

        FeatureStore.CoVisits three = lists.of(List.of(seed), 3);
        redis.opsForZSet().add(RedisKeys.coVisits(seed), "late", 100); // within the TTL: not seen by either

        assertThat(three.neighbours().get(seed)).containsExactly(Map.entry("n30", 30.0), Map.entry("n29", 29.0),
                Map.entry("n28", 28.0));
        assertThat(lists.ofIfCached(List.of(seed), 20).neighbours().get(seed)).hasSize(20)
                .containsEntry("n11", 11.0).doesNotContainKey("late");
        assertThat(lists.of(List.of(seed), 30).neighbours().get(seed)).containsKey("late").hasSize(30); // past depth
    }

    @Test
    void aZeroTtlReadsRedisEveryTime() {
        NeighbourLists lists = new NeighbourLists(store, RedisKeys::coVisits, Duration.ZERO, 20, nanos::get);
        String seed = "cvl-zero-" + run;
        redis.opsForZSet().add(RedisKeys.coVisits(seed), "n1", 1);
        lists.of(List.of(seed), 10);
        redis.opsForZSet().add(RedisKeys.coVisits(seed), "n2", 3);

        assertThat(lists.of(List.of(seed), 10).neighbours().get(seed)).containsOnlyKeys("n1", "n2");
    }
}
