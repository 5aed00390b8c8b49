package dev.marquee.simulator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.World;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The closed loop against a real HTTP server on 127.0.0.1 that answers like the gateway and records like ingest. */
class ClosedLoopTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final ClosedLoop.Settings FAST = new ClosedLoop.Settings(10, 10_000, 400, Duration.ofSeconds(60));

    private final World world = new World(3, 30, 40, "cl-");
    private final Map<String, World.User> users = new HashMap<>();

    ClosedLoopTest() {
        world.users().forEach(u -> users.put(u.userId(), u));
    }

    /** A gateway that knows each user's taste: the favourite topic's items, hits first. */
    private List<String> tasteful(String userId, int k) {
        return world.itemsOf(users.get(userId).favouriteTopic()).stream().limit(k).map(CatalogItem::itemId).toList();
    }

    /** A gateway that serves random items (seeded by user and call, so runs are repeatable). */
    private BiFunction<String, Integer, List<String>> randomGateway() {
        List<CatalogItem> catalog = world.catalog();
        SplittableRandom random = new SplittableRandom(42);
        return (userId, k) -> random.ints(0, catalog.size()).distinct().limit(k)
                .mapToObj(i -> catalog.get(i).itemId()).toList();
    }

    private ClosedLoop.Outcome run(FakeMarquee fake, long seed, ClosedLoop.Settings settings, SimpleMeterRegistry meters)
            throws InterruptedException {
        Behaviour b = new Behaviour(world, BackfillTest.CLICKS, BackfillTest.SESSIONS, seed, "c1");
        return ClosedLoop.run(b, settings, fake.client(), CLOCK, new Progress(ClosedLoop.MODE, meters, Long.MAX_VALUE));
    }

    @Test
    void postsTheUsersReactionsToTheServedListWithItsRequestIdAndPositionsButNoImpressions() throws Exception {
        try (FakeMarquee fake = new FakeMarquee(this::tasteful)) {
            ClosedLoop.Outcome outcome = run(fake, 1, FAST, new SimpleMeterRegistry());

            assertThat(fake.served).hasSize(400);
            assertThat(fake.events).isNotEmpty().noneMatch(e -> e.type() == EventType.IMPRESSION);
            Map<String, FakeMarquee.Served> byRequest = new HashMap<>();
            fake.served.forEach(s -> byRequest.put(s.requestId(), s));
            for (InteractionEvent e : fake.events) {
                FakeMarquee.Served served = byRequest.get(e.context().requestId());
                assertThat(served).as("request of " + e).isNotNull();
                assertThat(e.userId()).isEqualTo(served.userId());
                assertThat(served.itemIds().get(e.context().position())).isEqualTo(e.itemId());
                assertThat(e.timestamp()).isBetween(CLOCK.instant(), CLOCK.instant().plusMillis(100));
            }
            assertThat(fake.events).anyMatch(e -> e.sessionId() != null).anyMatch(e -> e.sessionId() == null);
            long clicks = fake.events.stream().filter(e -> e.type() == EventType.CLICK).count();
            assertThat(outcome.requests()).isEqualTo(400);
            assertThat(outcome.shown()).isEqualTo(4000);
            assertThat(outcome.clicks()).isEqualTo(clicks);
            assertThat(outcome.events()).isEqualTo(fake.events.size());
        }
    }

    @Test
    void tastefulListsGetAFarHigherCtrThanRandomOnesAndTheReferencesBracketThem() throws Exception {
        ClosedLoop.Outcome good;
        ClosedLoop.Outcome random;
        try (FakeMarquee fake = new FakeMarquee(this::tasteful)) {
            good = run(fake, 1, FAST, new SimpleMeterRegistry());
        }
        try (FakeMarquee fake = new FakeMarquee(randomGateway())) {
            random = run(fake, 1, FAST, new SimpleMeterRegistry());
        }
        assertThat(good.ctr()).isGreaterThan(3 * random.ctr());
        assertThat(random.ctr()).isBetween(random.randomCtr() * 0.6, random.randomCtr() * 1.5);
        assertThat(good.ctr()).isLessThanOrEqualTo(good.bestCtr() * 1.2);
    }

    @Test
    void sameSeedAndSameAnswersGiveTheSameEvents() throws Exception {
        List<InteractionEvent> first;
        try (FakeMarquee fake = new FakeMarquee(randomGateway())) {
            run(fake, 5, FAST, new SimpleMeterRegistry());
            first = List.copyOf(fake.events);
        }
        try (FakeMarquee fake = new FakeMarquee(randomGateway())) {
            run(fake, 5, FAST, new SimpleMeterRegistry());
            assertThat(fake.events).isNotEmpty().isEqualTo(first);
        }
        try (FakeMarquee fake = new FakeMarquee(randomGateway())) {
            run(fake, 6, FAST, new SimpleMeterRegistry());
            assertThat(fake.events).isNotEqualTo(first);
        }
    }

    @Test
    void stopsAtTheRequestBudgetAndCountsInMicrometer() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FakeMarquee fake = new FakeMarquee(this::tasteful)) {
            run(fake, 1, new ClosedLoop.Settings(5, 10_000, 25, Duration.ofSeconds(60)), meters);
            assertThat(fake.served).hasSize(25);
            assertThat(meters.counter(Metrics.SIMULATOR_REQUESTS, Metrics.TAG_OUTCOME, "ok").count()).isEqualTo(25);
            assertThat(meters.counter(Metrics.SIMULATOR_SHOWN).count()).isEqualTo(125);
            assertThat(meters.counter(Metrics.SIMULATOR_EVENTS, Metrics.TAG_MODE, ClosedLoop.MODE,
                    Metrics.TAG_TYPE, "click").count())
                    .isEqualTo(fake.events.stream().filter(e -> e.type() == EventType.CLICK).count());
        }
    }

    @Test
    void stopsAtTheDurationAndKeepsTheRate() throws Exception {
        try (FakeMarquee fake = new FakeMarquee(this::tasteful)) {
            long t0 = System.nanoTime();
            run(fake, 1, new ClosedLoop.Settings(5, 20, 1000, Duration.ofMillis(500)), new SimpleMeterRegistry());
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).isLessThan(3);
            assertThat(fake.served.size()).isBetween(5, 11); // 20 per second for half a second
        }
    }

    @Test
    void givesUpWhenTheGatewayKeepsFailing() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FakeMarquee fake = new FakeMarquee(this::tasteful)) {
            fake.recommendStatus = 503;
            assertThatThrownBy(() -> run(fake, 1, FAST, meters))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed in a row");
            assertThat(meters.counter(Metrics.SIMULATOR_REQUESTS, Metrics.TAG_OUTCOME, "error").count())
                    .isEqualTo(ClosedLoop.MAX_CONSECUTIVE_FAILURES);
            assertThat(fake.events).isEmpty();
        }
    }
}
