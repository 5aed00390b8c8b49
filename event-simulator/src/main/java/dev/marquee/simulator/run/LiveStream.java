package dev.marquee.simulator.run;

import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.World;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The open-loop stream: random users act on made-up lists (or find items on their own) and the events go to ingest
 * at {@code rate} events per second. It stops after {@code duration} or {@code rate x duration} events, whichever
 * comes first. Sessions follow simulated time ({@code i / rate}); the clock only stamps the events.
 */
public final class LiveStream {
    public static final String MODE = "live";
    static final Duration SPACING = Duration.ofMillis(1);

    /** @see Backfill.Settings */
    public record Settings(double rate, Duration duration, int listSize, double relevance, boolean impressions) {
        /** The event budget: {@code rate x duration}, at least 1. */
        long maxEvents() {
            return Math.max(1, (long) Math.ceil(rate * duration.toNanos() / 1e9));
        }
    }

    private LiveStream() {
    }

    /** Runs the stream; returns the number of events sent. */
    public static long run(Behaviour b, Settings s, MarqueeClient client, Clock clock, Progress progress)
            throws InterruptedException {
        long max = s.maxEvents();
        Pacer pacer = new Pacer(s.rate(), s.duration());
        Instant simulatedStart = clock.instant();
        long sent = 0;
        long slots = 0; // events sent, plus one per step that produced none (keeps the pace and the bound)
        while (slots < max && pacer.withinDuration()) {
            if (Thread.currentThread().isInterrupted()) { // stop requested while a call swallowed the exception
                throw new InterruptedException();
            }
            Instant simulated = simulatedStart.plusNanos((long) (slots / s.rate() * 1e9));
            World.User user = b.pickUser();
            Behaviour.Session session = b.sessionFor(user, simulated);
            List<InteractionEvent> events = b.browsesNext() ? List.of(b.browse(user, session, clock.instant()))
                    : b.react(user, session, b.newRequestId(), b.madeUpList(user, s.listSize(), s.relevance()),
                    clock.instant(), SPACING, s.impressions());
            if (events.size() > max - slots) {
                events = events.subList(0, (int) (max - slots));
            }
            if (!events.isEmpty()) {
                client.sendEvents(events);
                progress.sent(events);
                sent += events.size();
            }
            slots += Math.max(1, events.size());
            progress.maybeLog("");
            pacer.awaitSlot(slots);
        }
        progress.log("stream ended");
        return sent;
    }
}
