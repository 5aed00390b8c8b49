package dev.marquee.common.feature;

/**
 * One ranking feature: its stable name (stored with every model) and how its value is computed from the feature
 * store's view of a user and an item. Trainer and ranking service both call {@link #value}; nothing else computes it.
 */
public interface FeatureDefinition {
    String name();

    double value(UserFeatures user, ItemFeatures item);
}
