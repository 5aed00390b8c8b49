package dev.marquee.common.feature;

/**
 * The part of an item's features that events change (and its active flag): what a cache of item features rereads
 * often, while the catalog's fields (title, category, price, vector) change only with the catalog.
 *
 * @param popularity  time-decayed weighted interaction count as a share of the most popular item's (0 to 1): the
 *                    decay cancels out, so the share means the same for a catalog imported from years ago as for
 *                    today's events, and on a quiet night as at a busy hour
 * @param impressions times the item was shown
 * @param clicks      clicks on the item
 * @param active      inactive items are never recommended
 */
public record ItemCounters(double popularity, long impressions, long clicks, boolean active) {
}
