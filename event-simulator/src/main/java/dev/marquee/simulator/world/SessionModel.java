package dev.marquee.simulator.world;

import java.time.Duration;

/**
 * How activity is grouped into sessions. A session lasts a geometric number of steps (a list looked at or an organic
 * interaction) with mean {@code meanSteps}; in a stream, a user idle for longer than {@code idleGap} starts a new one.
 * A share {@code anonymousShare} of sessions carries no session id, so that the server groups those events into its
 * own time-window sessions. {@code browseShare} of the steps are organic interactions (search, category pages) rather
 * than a list.
 */
public record SessionModel(double meanSteps, double anonymousShare, Duration idleGap, double browseShare) {

    public SessionModel {
        if (!(meanSteps >= 1)) {
            throw new IllegalArgumentException("meanSteps must be >= 1");
        }
        if (!(anonymousShare >= 0 && anonymousShare <= 1) || !(browseShare >= 0 && browseShare <= 1)) {
            throw new IllegalArgumentException("anonymousShare and browseShare must be between 0 and 1");
        }
        if (idleGap == null || idleGap.isNegative() || idleGap.isZero()) {
            throw new IllegalArgumentException("idleGap must be positive");
        }
    }
}
