package dev.marquee.simulator.world;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BehaviourTest {
    static final ClickModel CLICKS = new ClickModel(1.0, 0.02, 0.5, 0.1, 0.3, 0.4, 0.1);
    static final SessionModel SESSIONS = new SessionModel(4, 0.2, Duration.ofMinutes(30), 0.3);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final World world = new World(5, 30, 200);

    /** Every user looks at {@code lists} uniformly random lists of 10; returns all they did. */
    private List<InteractionEvent> randomLists(Behaviour b, int lists) {
        List<InteractionEvent> out = new ArrayList<>();
        for (int i = 0; i < lists; i++) {
            World.User user = b.pickUser();
            out.addAll(b.react(user, b.sessionFor(user, T0.plusSeconds(i)), b.newRequestId(),
                    b.madeUpList(user, 10, 0.0), T0.plusSeconds(i), Duration.ofMillis(1), true));
        }
        return out;
    }

    @Test
    void sameSeedGivesTheSameEventsIdsIncluded() {
        List<InteractionEvent> a = randomLists(new Behaviour(world, CLICKS, SESSIONS, 9, "t1"), 300);
        List<InteractionEvent> b = randomLists(new Behaviour(new World(5, 30, 200), CLICKS, SESSIONS, 9, "t1"), 300);
        assertThat(a).isNotEmpty().isEqualTo(b);
        assertThat(a.stream().map(InteractionEvent::eventId).distinct().count()).isEqualTo(a.size());
    }

    @Test
    void differentSeedGivesDifferentEvents() {
        List<InteractionEvent> a = randomLists(new Behaviour(world, CLICKS, SESSIONS, 9, "t1"), 300);
        List<InteractionEvent> b = randomLists(new Behaviour(world, CLICKS, SESSIONS, 10, "t1"), 300);
        assertThat(pairs(a)).isNotEqualTo(pairs(b));
        assertThat(a.get(0).eventId()).isNotEqualTo(b.get(0).eventId());
    }

    @Test
    void differentWorldSeedGivesADifferentWorld() {
        World other = new World(6, 30, 200);
        assertThat(other.catalog().get(0).title() + other.catalog().get(1).title())
                .isNotEqualTo(world.catalog().get(0).title() + world.catalog().get(1).title());
    }

    @Test
    void clickThroughRateFallsWithPosition() {
        List<InteractionEvent> events = randomLists(new Behaviour(world, CLICKS, SESSIONS, 1, "t"), 20_000);
        double[] ctr = ctrByPosition(events, 10);
        assertThat(ctr[0]).isGreaterThan(ctr[1]);
        assertThat(ctr[1]).isGreaterThan(ctr[4]);
        assertThat(ctr[4]).isGreaterThan(ctr[9]);
        // 1 / (1 + p)^1: the top slot is looked at ten times as often as the tenth
        assertThat(ctr[0] / ctr[9]).isBetween(6.0, 15.0);
    }

    @Test
    void withoutPositionBiasEveryPositionIsClickedAlike() {
        ClickModel flat = new ClickModel(0.0, 0.02, 0.5, 0.1, 0.3, 0.4, 0.1);
        double[] ctr = ctrByPosition(randomLists(new Behaviour(world, flat, SESSIONS, 1, "t"), 20_000), 10);
        assertThat(ctr[9] / ctr[0]).isBetween(0.8, 1.25);
    }

    @Test
    void usersClickTheirFavouriteTopicFarMoreThanOthers() {
        List<InteractionEvent> events = randomLists(new Behaviour(world, CLICKS, SESSIONS, 2, "t"), 20_000);
        Map<String, World.User> users = new HashMap<>();
        world.users().forEach(u -> users.put(u.userId(), u));
        long[] shown = new long[2];
        long[] clicked = new long[2];
        for (InteractionEvent e : events) {
            int favourite = world.placement(e.itemId()).topic() == users.get(e.userId()).favouriteTopic() ? 0 : 1;
            if (e.type() == EventType.IMPRESSION) {
                shown[favourite]++;
            } else if (e.type() == EventType.CLICK) {
                clicked[favourite]++;
            }
        }
        double favouriteCtr = (double) clicked[0] / shown[0];
        double otherCtr = (double) clicked[1] / shown[1];
        assertThat(favouriteCtr).isGreaterThan(5 * otherCtr);
    }

    @Test
    void clicksCarryTheListsRequestIdPositionAndSession() {
        Behaviour b = new Behaviour(world, CLICKS, SESSIONS, 3, "t");
        List<InteractionEvent> events = randomLists(b, 2_000);
        Map<String, InteractionEvent> impressions = new HashMap<>();
        for (InteractionEvent e : events) {
            assertThat(e.context().requestId()).isNotNull();
            assertThat(e.context().device()).isIn(World.DEVICES);
            String key = e.context().requestId() + "/" + e.itemId();
            if (e.type() == EventType.IMPRESSION) {
                impressions.put(key, e);
            } else {
                InteractionEvent shown = impressions.get(key);
                assertThat(shown).as("impression before " + e).isNotNull();
                assertThat(e.context().position()).isEqualTo(shown.context().position());
                assertThat(e.sessionId()).isEqualTo(shown.sessionId());
                assertThat(e.timestamp()).isAfterOrEqualTo(shown.timestamp());
            }
        }
        assertThat(events).anyMatch(e -> e.type() == EventType.ADD_TO_CART)
                .anyMatch(e -> e.type() == EventType.PURCHASE && e.value() != null && e.value() > 0)
                .anyMatch(e -> e.type() == EventType.RATING);
        assertThat(events).filteredOn(e -> e.type() == EventType.RATING)
                .allMatch(e -> e.value() >= 0.5 && e.value() <= 5 && e.isValue());
    }

    @Test
    void aShareOfSessionsIsAnonymousAndSessionsEndAfterTheIdleGap() {
        Behaviour b = new Behaviour(world, CLICKS, SESSIONS, 4, "t");
        World.User user = world.users().get(0);
        Set<String> ids = new HashSet<>();
        int anonymous = 0;
        for (int i = 0; i < 4000; i++) {
            Behaviour.Session s = b.newSession(user);
            if (s.id() == null) {
                anonymous++;
            } else {
                ids.add(s.id());
            }
        }
        assertThat(anonymous / 4000.0).isBetween(0.15, 0.25);
        assertThat(ids).hasSize(4000 - anonymous);

        Behaviour longSessions = new Behaviour(world, CLICKS, new SessionModel(1000, 0, Duration.ofMinutes(30), 0.3),
                4, "t");
        Behaviour.Session first = longSessions.sessionFor(user, T0);
        assertThat(longSessions.sessionFor(user, T0.plus(Duration.ofMinutes(20)))).isSameAs(first);
        assertThat(longSessions.sessionFor(user, T0.plus(Duration.ofMinutes(45)))).isSameAs(first);
        assertThat(longSessions.sessionFor(user, T0.plus(Duration.ofMinutes(90)))).isNotSameAs(first);
    }

    @Test
    void ratingsFollowAffinity() {
        ClickModel alwaysRate = new ClickModel(0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0);
        Behaviour b = new Behaviour(world, alwaysRate, SESSIONS, 5, "t");
        World.User user = world.users().get(0);
        int favourite = user.favouriteTopic();
        int other = (favourite + 1) % world.topicList().size();
        while (user.preference()[other] > 0.1) {
            other = (other + 1) % world.topicList().size();
        }
        double liked = meanRating(b, user, world.itemsOf(favourite).get(0).itemId());
        double disliked = meanRating(b, user, world.itemsOf(other).get(0).itemId());
        assertThat(liked).isGreaterThan(4.0);
        assertThat(disliked).isLessThan(1.5);
    }

    private double meanRating(Behaviour b, World.User user, String itemId) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < 200; i++) {
            for (InteractionEvent e : b.react(user, b.newSession(user), "r", List.of(new Behaviour.Shown(0, itemId)),
                    T0, Duration.ofMillis(1), false)) {
                if (e.type() == EventType.RATING) {
                    sum += e.value();
                    n++;
                }
            }
        }
        assertThat(n).isEqualTo(200);
        return sum / n;
    }

    private static double[] ctrByPosition(List<InteractionEvent> events, int k) {
        long[] shown = new long[k];
        long[] clicks = new long[k];
        for (InteractionEvent e : events) {
            int p = e.context().position();
            if (e.type() == EventType.IMPRESSION) {
                shown[p]++;
            } else if (e.type() == EventType.CLICK) {
                clicks[p]++;
            }
        }
        double[] ctr = new double[k];
        for (int p = 0; p < k; p++) {
            ctr[p] = (double) clicks[p] / shown[p];
        }
        return ctr;
    }

    private static List<String> pairs(List<InteractionEvent> events) {
        return events.stream().map(e -> e.userId() + ">" + e.itemId() + ":" + e.type()).toList();
    }
}
