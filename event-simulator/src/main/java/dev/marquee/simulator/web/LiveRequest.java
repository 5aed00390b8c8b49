package dev.marquee.simulator.web;

import dev.marquee.simulator.run.LiveStream;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Overrides for one live stream; every field is optional.
 *
 * @param rate     events per second
 * @param duration ISO-8601 duration, e.g. {@code PT10M}; at most a day
 */
record LiveRequest(@DecimalMin(value = "0.0", inclusive = false) @DecimalMax("100000") Double rate,
                   Duration duration, @Min(1) @Max(100) Integer listSize,
                   @DecimalMin("0.0") @DecimalMax("1.0") Double relevance, Boolean impressions) {

    static LiveRequest orEmpty(LiveRequest r) {
        return r == null ? new LiveRequest(null, null, null, null, null) : r;
    }

    @AssertTrue(message = "duration must be positive and at most a day")
    public boolean isDurationBounded() {
        return duration == null || (!duration.isNegative() && !duration.isZero()
                && duration.compareTo(Duration.ofDays(1)) <= 0);
    }

    LiveStream.Settings settings(LiveStream.Settings d) {
        return new LiveStream.Settings(rate == null ? d.rate() : rate, duration == null ? d.duration() : duration,
                listSize == null ? d.listSize() : listSize, relevance == null ? d.relevance() : relevance,
                impressions == null ? d.impressions() : impressions);
    }
}
