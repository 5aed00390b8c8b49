package dev.marquee.simulator.run;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A history: for every user, sessions of steps (a made-up list the user reacts to, or an organic interaction) until
 * the user has {@code perUser} interactions (impressions not counted), the sessions spread over the window that ends
 * at {@code end}. Pure: the same behaviour stream and settings give the same events, ids and timestamps.
 */
public final class Backfill {
    public static final String MODE = "backfill";
    /** Between the events of one step (impression, click, add to cart, ...). */
    static final Duration SPACING = Duration.ofSeconds(3);

    /**
     * @param perUser     interactions per user (everything but impressions)
     * @param window      the history spans this much time before {@code end}
     * @param listSize    items per made-up list
     * @param relevance   chance a list slot follows the user's taste
     * @param impressions whether shown items produce impression events
     */
    public record Settings(int perUser, Duration window, int listSize, double relevance, boolean impressions) {
    }

    private Backfill() {
    }

    /** Every user's history, merged and ordered by timestamp (each user's events stay in the order they happened). */
    public static List<InteractionEvent> generate(Behaviour behaviour, Settings settings, Instant end) {
        List<InteractionEvent> all = new ArrayList<>();
        for (World.User user : behaviour.world().users()) {
            all.addAll(history(behaviour, user, settings, end));
        }
        all.sort(Comparator.comparing(InteractionEvent::timestamp)); // stable
        return all;
    }

    /** One user's history, oldest first. */
    static List<InteractionEvent> history(Behaviour b, World.User user, Settings s, Instant end) {
        List<List<InteractionEvent>> sessions = new ArrayList<>();
        int interactions = 0;
        int steps = 0;
        int maxSteps = 100 * s.perUser() + 10; // a user who never clicks still ends
        while (interactions < s.perUser() && steps < maxSteps) {
            Behaviour.Session session = b.newSession(user);
            int length = b.sessionLength();
            List<InteractionEvent> events = new ArrayList<>();
            Instant t = Instant.EPOCH; // session-relative; placed in the window below
            for (int step = 0; step < length && interactions < s.perUser() && steps < maxSteps; step++, steps++) {
                List<InteractionEvent> stepEvents = b.browsesNext() ? List.of(b.browse(user, session, t))
                        : b.react(user, session, b.newRequestId(), b.madeUpList(user, s.listSize(), s.relevance()),
                        t, SPACING, s.impressions());
                for (InteractionEvent e : stepEvents) {
                    if (e.type() != EventType.IMPRESSION) {
                        if (interactions == s.perUser()) {
                            continue; // exactly perUser interactions: the tail of the last step is dropped
                        }
                        interactions++;
                    }
                    events.add(e);
                }
                if (!events.isEmpty()) {
                    t = events.get(events.size() - 1).timestamp()
                            .plusMillis(20_000 + (long) (100_000 * b.nextDouble()));
                }
            }
            if (!events.isEmpty()) {
                sessions.add(events);
            }
        }
        return place(b, sessions, s.window(), end);
    }

    /**
     * Session k of n goes into the k-th of n equal slots of the window, at a random point that leaves room for the
     * whole session; a session longer than its slot is compressed into it.
     */
    private static List<InteractionEvent> place(Behaviour b, List<List<InteractionEvent>> sessions, Duration window,
                                                Instant end) {
        List<InteractionEvent> out = new ArrayList<>();
        if (sessions.isEmpty()) {
            return out;
        }
        long slot = Math.max(1, window.toMillis() / sessions.size());
        Instant start = end.minus(window);
        for (int k = 0; k < sessions.size(); k++) {
            List<InteractionEvent> events = sessions.get(k);
            long span = events.get(events.size() - 1).timestamp().toEpochMilli();
            double scale = span >= slot ? (slot - 1) / (double) span : 1.0;
            long room = Math.max(0, slot - 1 - (long) (span * scale));
            Instant sessionStart = start.plusMillis(k * slot + (long) (room * b.nextDouble()));
            for (InteractionEvent e : events) {
                out.add(at(e, sessionStart.plusMillis((long) (e.timestamp().toEpochMilli() * scale))));
            }
        }
        return out;
    }

    static InteractionEvent at(InteractionEvent e, Instant timestamp) {
        return new InteractionEvent(e.schema(), e.eventId(), e.userId(), e.itemId(), e.type(), timestamp,
                e.sessionId(), e.context(), e.value());
    }
}
