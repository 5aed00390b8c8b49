package dev.marquee.simulator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.ClickModel;
import dev.marquee.simulator.world.SessionModel;
import dev.marquee.simulator.world.World;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BackfillTest {
    static final ClickModel CLICKS = new ClickModel(1.0, 0.02, 0.5, 0.1, 0.3, 0.4, 0.1);
    static final SessionModel SESSIONS = new SessionModel(4, 0.2, Duration.ofMinutes(30), 0.3);
    private static final Instant END = Instant.parse("2026-03-01T12:00:00Z");
    private static final Backfill.Settings SETTINGS = new Backfill.Settings(20, Duration.ofHours(24), 10, 0.3, true);

    private static List<InteractionEvent> backfill(long seed, Backfill.Settings settings) {
        World world = new World(seed, 20, 50, "bf-");
        return Backfill.generate(new Behaviour(world, CLICKS, SESSIONS, seed, "b1"), settings, END);
    }

    @Test
    void sameSeedGivesIdenticalHistory() {
        List<InteractionEvent> a = backfill(7, SETTINGS);
        assertThat(a).isNotEmpty().isEqualTo(backfill(7, SETTINGS));
    }

    @Test
    void differentSeedGivesADifferentHistory() {
        List<InteractionEvent> a = backfill(7, SETTINGS);
        List<InteractionEvent> b = backfill(8, SETTINGS);
        assertThat(a.stream().map(e -> e.userId() + e.itemId() + e.type()).toList())
                .isNotEqualTo(b.stream().map(e -> e.userId() + e.itemId() + e.type()).toList());
    }

    @Test
    void everyUserGetsExactlyPerUserInteractionsInsideTheWindowInTimeOrder() {
        List<InteractionEvent> events = backfill(7, SETTINGS);
        Map<String, Long> interactions = events.stream().filter(e -> e.type() != EventType.IMPRESSION)
                .collect(Collectors.groupingBy(InteractionEvent::userId, Collectors.counting()));
        assertThat(interactions).hasSize(50).allSatisfy((user, n) -> assertThat(n).isEqualTo(20L));
        assertThat(events).allSatisfy(e -> {
            assertThat(e.timestamp()).isAfterOrEqualTo(END.minus(Duration.ofHours(24))).isBefore(END);
            assertThat(e.eventId()).startsWith("bf-ev-");
        });
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).timestamp()).isAfterOrEqualTo(events.get(i - 1).timestamp());
        }
        assertThat(events.stream().map(InteractionEvent::eventId).distinct().count()).isEqualTo(events.size());
        // spread over the window, not bunched at one end
        long firstHalf = events.stream().filter(e -> e.timestamp().isBefore(END.minus(Duration.ofHours(12)))).count();
        assertThat(firstHalf / (double) events.size()).isBetween(0.3, 0.7);
    }

    @Test
    void historyHasImpressionsClicksSessionsAndAnonymousEventsThatPassValidation() {
        List<InteractionEvent> events = backfill(7, SETTINGS);
        Map<EventType, Long> byType = events.stream()
                .collect(Collectors.groupingBy(InteractionEvent::type, Collectors.counting()));
        assertThat(byType).containsKeys(EventType.IMPRESSION, EventType.CLICK, EventType.VIEW,
                EventType.ADD_TO_CART, EventType.PURCHASE, EventType.RATING);
        double anonymous = events.stream().filter(e -> e.sessionId() == null).count() / (double) events.size();
        assertThat(anonymous).isBetween(0.05, 0.4);
        assertThat(events.stream().map(InteractionEvent::sessionId).distinct().count()).isGreaterThan(50 * 2);
        Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
        assertThat(events).allSatisfy(e -> assertThat(validator.validate(e)).as(e.toString()).isEmpty());
    }

    @Test
    void impressionsCanBeLeftOut() {
        List<InteractionEvent> events = backfill(7, new Backfill.Settings(5, Duration.ofHours(1), 10, 0.3, false));
        assertThat(events).hasSize(50 * 5).noneMatch(e -> e.type() == EventType.IMPRESSION);
    }
}
