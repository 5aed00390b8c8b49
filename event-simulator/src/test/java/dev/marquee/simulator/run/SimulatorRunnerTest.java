package dev.marquee.simulator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.SimulatorProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The runner's flows against a real HTTP server on 127.0.0.1 shaped like ingest, embedding, ranking and gateway. */
class SimulatorRunnerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);

    private static SimulatorRunner runner(FakeMarquee fake, Map<String, String> extra) {
        Map<String, String> config = new HashMap<>(Map.of("seed", "11", "items-per-topic", "10", "users", "20",
                "backfill.per-user", "5", "live.rate", "500", "live.duration", "300ms",
                "closed-loop.requests", "40", "closed-loop.rate", "1000", "embedding-wait", "10s"));
        for (String service : List.of("ingest", "embedding", "ranking", "gateway")) {
            config.put(service + "-url", fake.url());
        }
        config.putAll(extra);
        Map<String, String> prefixed = new HashMap<>();
        config.forEach((k, v) -> prefixed.put("marquee.simulator." + k, v));
        SimulatorProperties props = new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate("marquee.simulator", SimulatorProperties.class);
        return new SimulatorRunner(props, new SimpleMeterRegistry(), CLOCK, "");
    }

    private static SimulatorRunner.Status awaitEnd(SimulatorRunner runner) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (!runner.status().phase().equals("done") && !runner.status().phase().startsWith("failed")) {
            assertThat(Instant.now()).as(runner.status().toString()).isBefore(deadline);
            Thread.sleep(20);
        }
        return runner.status();
    }

    private static List<String> userItemTypes(List<InteractionEvent> events) {
        return events.stream().map(e -> e.eventId() + e.userId() + e.itemId() + e.type()).toList();
    }

    @Test
    void autoStartSendsCatalogWaitsBackfillsTrainsThenRunsTheClosedLoop() throws Exception {
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of("item-kitchen-0", "item-gaming-1", "x"))) {
            SimulatorRunner runner = runner(fake, Map.of("auto-stream", "closed-loop"));
            runner.run(new DefaultApplicationArguments());
            SimulatorRunner.Status status = awaitEnd(runner);

            assertThat(status.phase()).isEqualTo("done");
            assertThat(fake.items).containsExactlyInAnyOrderElementsOf(
                    runner.world().catalog().stream().map(CatalogItem::itemId).toList());
            assertThat(fake.trainings.get()).isEqualTo(1);
            assertThat(fake.served).hasSize(40);
            long backfillInteractions = fake.events.stream()
                    .filter(e -> e.context().requestId() == null || !e.context().requestId().startsWith("req-")).filter(e -> e.type() != EventType.IMPRESSION).count();
            assertThat(backfillInteractions).isEqualTo(20 * 5);
            assertThat(status.mode()).isEqualTo(ClosedLoop.MODE);
            assertThat(status.requests()).isEqualTo(40);
            assertThat(status.shown()).isEqualTo(120);
            assertThat(status.eventsSent()).isEqualTo(fake.events.size());
        }
    }

    @Test
    void anAutoStartOnKeptDataDoesNotBackfillTheHistoryAgain() throws Exception {
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of("item-kitchen-0"))) {
            SimulatorRunner first = runner(fake, Map.of("auto-stream", "closed-loop"));
            first.run(new DefaultApplicationArguments());
            awaitEnd(first);
            int afterFirst = fake.events.size();

            SimulatorRunner second = runner(fake, Map.of("auto-stream", "closed-loop"));
            second.run(new DefaultApplicationArguments());
            assertThat(awaitEnd(second).phase()).isEqualTo("done");

            assertThat(fake.events.subList(afterFirst, fake.events.size()))
                    .allMatch(e -> e.context().requestId() != null && e.context().requestId().startsWith("req-"));
            assertThat(fake.trainings.get()).isEqualTo(2);
        }
    }

    @Test
    void sameSeedSameRunsGiveTheSameEventsAndIds() throws Exception {
        List<InteractionEvent> first;
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            SimulatorRunner runner = runner(fake, Map.of());
            runner.startBackfill(runner.backfillDefaults());
            awaitEnd(runner);
            first = List.copyOf(fake.events);
            runner.startLive(new LiveStream.Settings(1000, Duration.ofSeconds(5), 10, 0.3, true));
            Thread.sleep(200);
            runner.stop();
        }
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            SimulatorRunner runner = runner(fake, Map.of());
            runner.startBackfill(runner.backfillDefaults());
            awaitEnd(runner);
            assertThat(fake.events).isEqualTo(first);
        }
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            SimulatorRunner runner = runner(fake, Map.of("seed", "12"));
            runner.startBackfill(runner.backfillDefaults());
            awaitEnd(runner);
            assertThat(userItemTypes(fake.events)).isNotEqualTo(userItemTypes(first));
        }
    }

    @Test
    void aSecondRunWaitsUntilTheFirstIsStopped() throws Exception {
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            SimulatorRunner runner = runner(fake, Map.of());
            runner.startLive(new LiveStream.Settings(50, Duration.ofMinutes(5), 10, 0.3, true));
            assertThatThrownBy(() -> runner.startBackfill(runner.backfillDefaults()))
                    .isInstanceOf(SimulatorBusyException.class);
            assertThat(runner.stop().phase()).isEqualTo("stopped");
            Instant deadline = Instant.now().plusSeconds(10);
            while (true) {
                try {
                    runner.startBackfill(runner.backfillDefaults());
                    break;
                } catch (SimulatorBusyException e) {
                    assertThat(Instant.now()).isBefore(deadline);
                    Thread.sleep(20);
                }
            }
            assertThat(awaitEnd(runner).mode()).isEqualTo(Backfill.MODE);
        }
    }
}
