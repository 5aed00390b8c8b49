package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.redis.ReplayMarks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The same event stream applied twice on the real Kafka and Redis: once without interruption, once with the
 * consumer stopped mid-stream, restarted, and a chunk of already-applied events delivered again (what at-least-once
 * redelivery does after a crash). The Redis features of both runs must be identical. Batches of 100 events or more
 * have their writes deferred to the next batch's reads (the default starts at 1,000, more than this test's batches
 * reliably reach), so both ways of sending writes are in it.
 */
@SpringBootTest(properties = "marquee.features.defer-writes-from=100")
@NeedsInfrastructure
class ConsumerRestartIT {
    private static final int USERS = 20;
    private static final int ITEMS = 30;
    private static final int EVENTS = 1500;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    /** Both runs have the same event times: time-decayed values are then comparable. */
    private final Instant t0 = Instant.now();

    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    KafkaListenerEndpointRegistry listeners;
    @Autowired
    FeatureStore store;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    JsonMapper json;

    @Test
    void restartedAndReplayedConsumerEndsWithTheSameFeaturesAsAnUninterruptedOne() throws Exception {
        List<InteractionEvent> uninterrupted = stream("a");
        publish(uninterrupted);
        awaitApplied("a", uninterrupted);

        List<InteractionEvent> interrupted = stream("b");
        MessageListenerContainer consumer = listeners.getListenerContainer("features");
        publish(interrupted.subList(0, EVENTS / 2));
        await(() -> totalEvents("b") > EVENTS / 10);
        consumer.stop();                                   // mid-stream
        await(() -> !consumer.isRunning());
        long appliedBeforeStop = totalEvents("b");
        publish(interrupted.subList(EVENTS / 2, EVENTS));  // arrives while the consumer is down
        publish(interrupted.subList(0, EVENTS / 3));       // redelivery of events already applied
        consumer.start();
        awaitApplied("b", interrupted);

        assertThat(appliedBeforeStop).isBetween(1L, (long) EVENTS - 1);
        for (int u = 0; u < USERS; u++) {
            UserFeatures a = store.user(user("a", u));
            UserFeatures b = store.user(user("b", u));
            assertThat(b.eventCount()).isEqualTo(a.eventCount());
            assertThat(b.taste()).containsExactly(a.taste());
            assertThat(b.categoryWeights()).isEqualTo(a.categoryWeights());
            assertThat(b.recentItems().stream().map(i -> i.replace("-b-", "-a-")).toList())
                    .isEqualTo(a.recentItems());
        }
        for (int i = 0; i < ITEMS; i++) {
            // decayed scores are sums of non-integer increments; batches add them in different groupings, so equal up
            // to rounding (a lost or doubled event would move them by a whole increment, ~1e-1 relative)
            Double popularA = redis.opsForZSet().score(RedisKeys.POPULAR, item("a", i));
            Double popularB = redis.opsForZSet().score(RedisKeys.POPULAR, item("b", i));
            if (popularA == null) {
                assertThat(popularB).isNull();
            } else {
                assertThat(popularB).isCloseTo(popularA, withinPercentage(1e-9));
            }
            Map<String, Double> coVisitsA = store.coVisited(item("a", i), 100);
            Map<String, Double> coVisitsB = new java.util.HashMap<>();
            store.coVisited(item("b", i), 100).forEach((k, v) -> coVisitsB.put(k.replace("-b-", "-a-"), v));
            assertThat(coVisitsB).isEqualTo(coVisitsA);
            var itemA = store.items(List.of(item("a", i))).get(item("a", i));
            var itemB = store.items(List.of(item("b", i))).get(item("b", i));
            assertThat(itemB.impressions()).isEqualTo(itemA.impressions());
            assertThat(itemB.clicks()).isEqualTo(itemA.clicks());
        }
    }

    /**
     * Redis loses everything while the consumer is down (a restart without persistence, a new Redis): when the consumer
     * is given its partitions again it finds no replay marks, reads the events topic from the beginning and ends with
     * the features it had, once the catalog's view it reads is complete again. Time-decayed values are compared as shares and directions: the decay landmark is chosen
     * anew in an empty Redis, which scales them all alike.
     */
    @Test
    void aFeatureStoreThatLostItsDataIsRebuiltFromTheEventsTopic() throws Exception {
        List<InteractionEvent> events = stream("c");
        publish(events);
        awaitApplied("c", events);
        List<UserFeatures> before = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            before.add(store.user(user("c", u)));
        }

        MessageListenerContainer consumer = listeners.getListenerContainer("features");
        consumer.stop();
        await(() -> !consumer.isRunning());
        redis.execute((RedisCallback<Object>) c -> {
            c.serverCommands().flushAll();
            return null;
        });
        consumer.start();
        // the catalog's view (item categories and vectors) is not there yet: the rebuild waits for it
        Thread.sleep(3_000);
        assertThat(totalEvents("c")).isZero();
        stream("c"); // what the embedding service's rebuild of the catalog writes, and its mark when it is complete
        new ReplayMarks(redis).claimReplay(RedisKeys.VIEW_CATALOG, Topics.CATALOG, 0);
        awaitApplied("c", events);

        for (int u = 0; u < USERS; u++) {
            UserFeatures was = before.get(u);
            UserFeatures now = store.user(user("c", u));
            assertThat(now.eventCount()).isEqualTo(was.eventCount());
            assertThat(now.recentItems()).isEqualTo(was.recentItems());
            if (was.hasTaste()) {
                assertThat(Vectors.cosine(now.taste(), was.taste())).isCloseTo(1.0, withinPercentage(1e-4));
            }
            assertThat(now.categoryWeights().keySet()).isEqualTo(was.categoryWeights().keySet());
            for (String category : was.categoryWeights().keySet()) {
                assertThat(now.categoryWeights().get(category) / now.totalCategoryWeight())
                        .isCloseTo(was.categoryWeights().get(category) / was.totalCategoryWeight(),
                                withinPercentage(1e-6));
            }
        }
    }

    /** A deterministic stream for run {@code r}; runs differ only in their id prefixes. */
    private List<InteractionEvent> stream(String r) {
        Random random = new Random(42);
        for (int i = 0; i < ITEMS; i++) {
            float[] v = new float[8];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            String id = item(r, i);
            String category = "cat" + (i % 4);
            redis.execute((RedisCallback<Object>) c -> {
                byte[] key = FeatureStore.bytes(RedisKeys.item(id));
                c.hashCommands().hSet(key, FeatureStore.bytes(RedisKeys.ITEM_CATEGORY), FeatureStore.bytes(category));
                c.hashCommands().hSet(key, FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(v));
                return null;
            });
        }
        List<InteractionEvent> events = new ArrayList<>();
        EventType[] types = EventType.values();
        for (int e = 0; e < EVENTS; e++) {
            EventType type = types[random.nextInt(types.length)];
            Double value = type == EventType.RATING ? 0.5 * (1 + random.nextInt(10)) : null;
            // a few sessions per user, every third event without one (time-window sessions)
            String session = random.nextInt(3) == 0 ? null : "s" + random.nextInt(3);
            events.add(new InteractionEvent(run + "-" + r + "-" + e, user(r, random.nextInt(USERS)),
                    item(r, random.nextInt(ITEMS)), type, t0.plusMillis(e * 1000L), session, null, value));
        }
        return events;
    }

    private String user(String r, int u) {
        return "rs-" + run + "-" + r + "-u" + u;
    }

    private String item(String r, int i) {
        return "rs-" + run + "-" + r + "-i" + i;
    }

    private void publish(List<InteractionEvent> events) throws Exception {
        List<java.util.concurrent.CompletableFuture<?>> sends = new ArrayList<>();
        for (InteractionEvent e : events) {
            sends.add(kafka.send(Topics.EVENTS, e.userId(), json.writeValueAsString(e)));
        }
        for (var s : sends) {
            s.get();
        }
    }

    private long totalEvents(String r) {
        long n = 0;
        for (int u = 0; u < USERS; u++) {
            n += store.user(user(r, u)).eventCount();
        }
        return n;
    }

    private void awaitApplied(String r, List<InteractionEvent> events) throws InterruptedException {
        long counted = events.stream().filter(e -> e.type() != EventType.IMPRESSION).count(); // users count these
        await(() -> totalEvents(r) >= counted);
        Thread.sleep(500); // anything still in flight would show up as a difference below
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(20);
        }
    }
}
