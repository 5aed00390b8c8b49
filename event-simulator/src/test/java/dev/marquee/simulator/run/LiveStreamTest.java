package dev.marquee.simulator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.World;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveStreamTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private final World world = new World(4, 20, 30);

    private long run(FakeMarquee fake, LiveStream.Settings settings) throws InterruptedException {
        Behaviour b = new Behaviour(world, BackfillTest.CLICKS, BackfillTest.SESSIONS, 4, "l1");
        return LiveStream.run(b, settings, fake.client(), CLOCK,
                new Progress(LiveStream.MODE, new SimpleMeterRegistry(), Long.MAX_VALUE));
    }

    @Test
    void stopsAfterRateTimesDurationEventsAndRepeatsForTheSameSeed() throws Exception {
        List<InteractionEvent> first;
        LiveStream.Settings settings = new LiveStream.Settings(2000, Duration.ofMillis(150), 10, 0.3, true);
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            long sent = run(fake, settings);
            assertThat(sent).isEqualTo(fake.events.size()).isLessThanOrEqualTo(300);
            first = List.copyOf(fake.events);
        }
        assertThat(first).anyMatch(e -> e.type() == EventType.IMPRESSION).anyMatch(e -> e.type() == EventType.CLICK);
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            run(fake, settings);
            // the time bound may cut either run short; what both sent is the same sequence
            int common = Math.min(first.size(), fake.events.size());
            assertThat(common).isGreaterThan(50);
            assertThat(fake.events.subList(0, common)).isEqualTo(first.subList(0, common));
        }
    }

    @Test
    void stopsAtTheDurationAndKeepsTheRate() throws Exception {
        try (FakeMarquee fake = new FakeMarquee((u, k) -> List.of())) {
            long t0 = System.nanoTime();
            run(fake, new LiveStream.Settings(40, Duration.ofMillis(500), 10, 0.3, false));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).isBetween(0.4, 3.0);
            assertThat(fake.events.size()).isBetween(1, 20); // 40 per second for half a second
        }
    }
}
