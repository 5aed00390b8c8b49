package dev.marquee.simulator.web;

import dev.marquee.simulator.run.Backfill;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * Overrides for one backfill; every field is optional.
 *
 * @param window ISO-8601 duration, e.g. {@code PT24H}
 */
record BackfillRequest(@Min(0) @Max(10_000) Integer perUser, Duration window, @Min(1) @Max(100) Integer listSize,
                       @DecimalMin("0.0") @DecimalMax("1.0") Double relevance, Boolean impressions) {

    static BackfillRequest orEmpty(BackfillRequest r) {
        return r == null ? new BackfillRequest(null, null, null, null, null) : r;
    }

    @AssertTrue(message = "window must be positive")
    public boolean isWindowPositive() {
        return window == null || (!window.isNegative() && !window.isZero());
    }

    Backfill.Settings settings(Backfill.Settings d) {
        return new Backfill.Settings(perUser == null ? d.perUser() : perUser, window == null ? d.window() : window,
                listSize == null ? d.listSize() : listSize, relevance == null ? d.relevance() : relevance,
                impressions == null ? d.impressions() : impressions);
    }
}
