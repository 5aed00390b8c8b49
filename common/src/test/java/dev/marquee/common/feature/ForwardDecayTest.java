package dev.marquee.common.feature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ForwardDecayTest {
    private static final long HOUR = 3_600_000;

    @Test
    void decayedValueHalvesEveryHalfLife() {
        ForwardDecay d = ForwardDecay.startingAt(10 * HOUR, HOUR);
        double score = d.increment(10 * HOUR, 4.0);
        assertThat(d.decayed(score, 10 * HOUR)).isCloseTo(4.0, within(1e-9));
        assertThat(d.decayed(score, 12 * HOUR)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void newerEventsOutweighOlderOnesOfTheSameWeight() {
        ForwardDecay d = ForwardDecay.startingAt(0, HOUR);
        assertThat(d.increment(3 * HOUR, 1.0)).isGreaterThan(d.increment(HOUR, 1.0) * 3.9);
    }

    @Test
    void movingTheLandmarkAndRescalingKeepsDecayedValues() {
        ForwardDecay d = ForwardDecay.startingAt(0, HOUR);
        long late = 45 * HOUR;
        assertThat(d.needsRescale(late)).isTrue();
        double score = d.increment(2 * HOUR, 3.0) + d.increment(30 * HOUR, 1.0);
        ForwardDecay moved = d.movedTo(late);
        assertThat(moved.needsRescale(late)).isFalse();
        double rescaled = score * d.rescaleFactor(moved);
        assertThat(moved.decayed(rescaled, late)).isCloseTo(d.decayed(score, late), within(1e-12));
        assertThat(ForwardDecay.parse(moved.format())).isEqualTo(moved);
    }
}
