package dev.marquee.common.feature;

/**
 * What the feature store knows about an item.
 *
 * @param vector     the item's T5 embedding (unit length), or {@code null} if not embedded yet
 * @param popularity weighted interaction count
 */
public record ItemFeatures(String itemId, String title, String category, double price, float[] vector,
                           double popularity) {
}
