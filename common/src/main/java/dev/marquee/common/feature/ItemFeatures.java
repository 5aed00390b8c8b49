package dev.marquee.common.feature;

/**
 * What the feature store knows about an item.
 *
 * @param vector      the item's T5 embedding (unit length), or {@code null} if not embedded yet
 * @param popularity  time-decayed weighted interaction count as a share of the most popular item's (0 to 1): the
 *                    decay cancels out, so the share means the same for a catalog imported from years ago as for
 *                    today's events, and on a quiet night as at a busy hour
 * @param impressions times the item was shown
 * @param clicks      clicks on the item
 * @param active      inactive items are never recommended
 */
public record ItemFeatures(String itemId, String title, String category, double price, float[] vector,
                           double popularity, long impressions, long clicks, boolean active) {

    public ItemFeatures(String itemId, String title, String category, double price, float[] vector,
                        double popularity) {
        this(itemId, title, category, price, vector, popularity, 0, 0, true);
    }

    /** These catalog fields with the given counters. */
    public ItemFeatures with(ItemCounters c) {
        return new ItemFeatures(itemId, title, category, price, vector, c.popularity(), c.impressions(), c.clicks(),
                c.active());
    }

    /** Click-through rate smoothed towards {@code prior} with {@code strength} pseudo-impressions. */
    public double smoothedCtr(double prior, double strength) {
        return (clicks + prior * strength) / (impressions + strength);
    }
}
