package dev.marquee.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimeWindowTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private final EventTimeWindow window = EventTimeWindow.of(Duration.ofDays(365), Duration.ofMinutes(5));

    @Test
    void acceptsTimesFromMaxAgeAgoToMaxAheadInclusive() {
        assertThat(window.problem(NOW, NOW)).isNull();
        assertThat(window.problem(NOW.plus(Duration.ofMinutes(5)), NOW)).isNull();
        assertThat(window.problem(NOW.minus(Duration.ofDays(365)), NOW)).isNull();
    }

    @Test
    void refusesTheFarFutureAndTheFarPastSayingWhy() {
        assertThat(window.problem(NOW.plus(Duration.ofMinutes(5)).plusMillis(1), NOW)).contains("in the future");
        assertThat(window.problem(Instant.parse("+300000000-01-01T00:00:00Z"), NOW)).contains("in the future");
        assertThat(window.problem(NOW.minus(Duration.ofDays(366)), NOW)).contains("365 days in the past");
        assertThat(window.problem(Instant.MIN, NOW)).contains("in the past");
    }

    @Test
    void unsetBoundsFallBackToTheDefaults() {
        assertThat(EventTimeWindow.of(null, null)).isEqualTo(EventTimeWindow.DEFAULT);
        assertThat(EventTimeWindow.DEFAULT.problem(Instant.parse("1995-01-09T11:46:49Z"), NOW)).isNull();
        assertThat(EventTimeWindow.DEFAULT.problem(NOW.plus(Duration.ofHours(2)), NOW)).isNotNull();
    }
}
