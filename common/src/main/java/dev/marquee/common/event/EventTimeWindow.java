package dev.marquee.common.event;

import java.time.Duration;
import java.time.Instant;

/**
 * The event times Marquee accepts: from {@code maxAge} before now (historical imports such as MovieLens go back
 * decades) to {@code maxAhead} after it (clock skew between clients and the server). Outside it an event is refused
 * at ingest with a 400 and dead-lettered by the stream consumer: a timestamp far in the future would move every
 * forward-decay landmark past it (all popularity scores ~0), and one past year ±292 million overflows epoch millis.
 */
public record EventTimeWindow(Duration maxAge, Duration maxAhead) {
    /** The defaults of {@code marquee.ingest.timestamp-max-age} and {@code timestamp-max-ahead}. */
    public static final EventTimeWindow DEFAULT = new EventTimeWindow(Duration.ofDays(36_500), Duration.ofHours(1));

    public EventTimeWindow {
        if (maxAge == null || maxAge.isNegative() || maxAhead == null || maxAhead.isNegative()) {
            throw new IllegalArgumentException("maxAge and maxAhead must be zero or positive durations");
        }
    }

    /** The window with the given bounds, each falling back to the default when {@code null}. */
    public static EventTimeWindow of(Duration maxAge, Duration maxAhead) {
        return new EventTimeWindow(maxAge == null ? DEFAULT.maxAge : maxAge,
                maxAhead == null ? DEFAULT.maxAhead : maxAhead);
    }

    /** Why {@code timestamp} is refused at {@code now}, or {@code null} when it is within the window. */
    public String problem(Instant timestamp, Instant now) {
        if (timestamp == null) {
            return null; // @NotNull reports it
        }
        if (timestamp.isAfter(now.plus(maxAhead))) {
            return "must not be more than " + maxAhead + " in the future (server time " + now + ")";
        }
        if (timestamp.isBefore(now.minus(maxAge))) {
            return "must not be more than " + maxAge.toDays() + " days in the past (server time " + now + ")";
        }
        return null;
    }
}
