package dev.marquee.simulator.web;

import dev.marquee.simulator.run.ClosedLoop;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Overrides for one closed loop; every field is optional.
 *
 * @param k        items per /recommend call
 * @param rate     requests per second at most
 * @param requests stop after this many requests
 * @param duration ISO-8601 duration, e.g. {@code PT5M}; at most a day
 */
record ClosedLoopRequest(@Min(1) @Max(100) Integer k,
                         @DecimalMin(value = "0.0", inclusive = false) @DecimalMax("10000") Double rate,
                         @Min(1) @Max(10_000_000) Integer requests, Duration duration) {

    static ClosedLoopRequest orEmpty(ClosedLoopRequest r) {
        return r == null ? new ClosedLoopRequest(null, null, null, null) : r;
    }

    @AssertTrue(message = "duration must be positive and at most a day")
    public boolean isDurationBounded() {
        return duration == null || (!duration.isNegative() && !duration.isZero()
                && duration.compareTo(Duration.ofDays(1)) <= 0);
    }

    ClosedLoop.Settings settings(ClosedLoop.Settings d) {
        return new ClosedLoop.Settings(k == null ? d.k() : k, rate == null ? d.rate() : rate,
                requests == null ? d.requests() : requests, duration == null ? d.duration() : duration);
    }
}
