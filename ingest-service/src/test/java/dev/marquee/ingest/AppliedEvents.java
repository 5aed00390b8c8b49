package dev.marquee.ingest;

import dev.marquee.common.redis.FeatureStore;
import java.time.Duration;
import java.time.Instant;

/** Waiting for the stream consumer in the integration tests. */
final class AppliedEvents {
    private AppliedEvents() {
    }

    /**
     * Waits up to {@code within} until {@code user}'s features count at least {@code count} events; a read that fails
     * (Redis behind a fault gate, not back yet) counts as not yet.
     */
    static void await(FeatureStore store, String user, long count, Duration within) throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (store.user(user).eventCount() >= count) {
                    return;
                }
            } catch (RuntimeException redisNotYetBack) {
                // try again
            }
            Thread.sleep(100);
        }
        throw new AssertionError(user + ": fewer than " + count + " events applied within " + within);
    }
}
