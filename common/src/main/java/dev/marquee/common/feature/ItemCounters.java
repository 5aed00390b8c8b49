package dev.marquee.common.feature;

/**
 * The part of an item's features that events change (and its active flag): what a cache of item features rereads
 * often, while the catalog's fields (title, category, price, vector) change only with the catalog.
 *
 * @param popularity  time-decayed weighted interaction count, as of the read
 * @param impressions times the item was shown
 * @param clicks      clicks on the item
 * @param active      inactive items are never recommended
 */
public record ItemCounters(double popularity, long impressions, long clicks, boolean active) {
}
