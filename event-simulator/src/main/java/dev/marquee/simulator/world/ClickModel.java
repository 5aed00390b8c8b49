package dev.marquee.simulator.world;

import java.util.Arrays;

/**
 * How a simulated user reacts to a list (a position-based click model). The user examines the item at 0-based
 * position {@code p} with probability {@code 1 / (1 + p)^positionBias}; an examined item is clicked with probability
 * {@code clickFloor + (clickCeiling - clickFloor) * a}, where {@code a} is the user's {@link World#affinity affinity}
 * to the item plus Gaussian noise of deviation {@code noise}, clipped to [0, 1]. After a click the user adds the item to
 * the cart with probability {@code cartRate * affinity}, buys what is in the cart with probability
 * {@code purchaseRate}, and rates a clicked item with probability {@code ratingRate}.
 */
public record ClickModel(double positionBias, double clickFloor, double clickCeiling, double noise, double cartRate,
                         double purchaseRate, double ratingRate) {

    public ClickModel {
        requireProbability("clickFloor", clickFloor);
        requireProbability("clickCeiling", clickCeiling);
        requireProbability("cartRate", cartRate);
        requireProbability("purchaseRate", purchaseRate);
        requireProbability("ratingRate", ratingRate);
        if (clickFloor > clickCeiling) {
            throw new IllegalArgumentException("clickFloor must not exceed clickCeiling");
        }
        if (!(positionBias >= 0) || !(noise >= 0)) {
            throw new IllegalArgumentException("positionBias and noise must be >= 0");
        }
    }

    /** Chance the user looks at the item in this 0-based position. */
    public double examination(int position) {
        return 1 / Math.pow(1 + position, positionBias);
    }

    /** Chance the user clicks an examined item of this (possibly noisy) affinity. */
    public double clickProbability(double affinity) {
        double a = Math.max(0, Math.min(1, affinity));
        return clickFloor + (clickCeiling - clickFloor) * a;
    }

    /** Expected clicks per shown item (CTR) when this user sees a uniformly random list of k items, noise ignored. */
    public double randomListCtr(World world, World.User user, int k) {
        double[] affinities = affinities(world, user);
        double meanClick = Arrays.stream(affinities).map(this::clickProbability).average().orElse(0);
        return meanClick * meanExamination(k);
    }

    /** Expected CTR of the best list of k items for this user (highest affinity first), noise ignored. */
    public double bestListCtr(World world, World.User user, int k) {
        double[] affinities = affinities(world, user);
        Arrays.sort(affinities);
        double clicks = 0;
        int n = Math.min(k, affinities.length);
        for (int p = 0; p < n; p++) {
            clicks += examination(p) * clickProbability(affinities[affinities.length - 1 - p]);
        }
        return clicks / Math.max(1, n);
    }

    private double meanExamination(int k) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
            sum += examination(p);
        }
        return sum / Math.max(1, k);
    }

    private static double[] affinities(World world, World.User user) {
        return world.catalog().stream().mapToDouble(i -> world.affinity(user, i.itemId())).toArray();
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, was " + p);
        }
    }
}
