package dev.marquee.common.feature;

/**
 * Exponentially time-decayed counters without rewriting them as time passes ("forward decay", Cormode et al. 2009):
 * an event at time t adds {@code w * 2^((t - L) / h)} where L is a fixed landmark and h the half-life, so stored
 * scores only grow and their order is the decayed order. The decayed value at time {@code now} is
 * {@code score * 2^(-(now - L) / h)}. When the exponent grows large the landmark moves forward and every score is
 * multiplied by {@link #rescaleFactor} (done by the writer, in the same transaction).
 */
public record ForwardDecay(long landmarkMillis, long halfLifeMillis) {
    /** Move the landmark once an increment would exceed 2^40 (scores stay far from double's limits). */
    static final double MAX_EXPONENT = 40;

    public double increment(long eventMillis, double weight) {
        return weight * Math.pow(2, (double) (eventMillis - landmarkMillis) / halfLifeMillis);
    }

    public double decayed(double score, long nowMillis) {
        return score * Math.pow(2, -(double) (nowMillis - landmarkMillis) / halfLifeMillis);
    }

    public boolean needsRescale(long eventMillis) {
        return (double) (eventMillis - landmarkMillis) / halfLifeMillis > MAX_EXPONENT;
    }

    /** The landmark to move to for an event at {@code eventMillis}: whole half-lives, a little before the event. */
    public ForwardDecay movedTo(long eventMillis) {
        long steps = Math.floorDiv(eventMillis - landmarkMillis, halfLifeMillis) - 1;
        return new ForwardDecay(landmarkMillis + steps * halfLifeMillis, halfLifeMillis);
    }

    /** What existing scores are multiplied by when moving from this landmark to {@code next}. */
    public double rescaleFactor(ForwardDecay next) {
        return Math.pow(2, -(double) (next.landmarkMillis - landmarkMillis) / halfLifeMillis);
    }

    /** Stored form, {@code landmarkMillis/halfLifeMillis}: readers decay with the writer's half-life. */
    public String format() {
        return landmarkMillis + "/" + halfLifeMillis;
    }

    public static ForwardDecay parse(String s) {
        int slash = s.indexOf('/');
        return new ForwardDecay(Long.parseLong(s.substring(0, slash)), Long.parseLong(s.substring(slash + 1)));
    }

    /** A landmark for a family that has none yet: whole half-lives before the first event. */
    public static ForwardDecay startingAt(long eventMillis, long halfLifeMillis) {
        return new ForwardDecay(Math.floorDiv(eventMillis, halfLifeMillis) * halfLifeMillis - halfLifeMillis,
                halfLifeMillis);
    }
}
