package dev.marquee.ingest.features;

import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.FeatureProperties;

/** The capped sorted sets that events increment, and their caps. */
final class CountedSets {
    private CountedSets() {
    }

    /** A family of sorted sets. */
    enum Family {
        POPULAR, TRENDING_UNCATEGORIZED, POPULAR_IN, TRENDING_IN, CO_VISITS, TRANSITIONS;

        /** Members kept at most (trimmed lazily, see {@link FeatureWrites}). */
        int cap(FeatureProperties props) {
            return switch (this) {
                case POPULAR, POPULAR_IN -> props.popularCap();
                case TRENDING_UNCATEGORIZED, TRENDING_IN -> props.trendingCap();
                case CO_VISITS -> props.coVisitCap();
                case TRANSITIONS -> props.transitionCap();
            };
        }
    }

    /**
     * A sorted set an event increments: its family and what it is of (category, item; empty for the global ones). Its
     * Redis key is built once per batch, at write time, not once per event: hashing a record of a cached enum hash
     * and an id string that has its hash already is cheaper than concatenating and hashing a new key string.
     */
    record Key(Family family, String of) {
        String redisKey() {
            return switch (family) {
                case POPULAR -> RedisKeys.POPULAR;
                case TRENDING_UNCATEGORIZED -> RedisKeys.TRENDING_UNCATEGORIZED;
                case POPULAR_IN -> RedisKeys.popular(of);
                case TRENDING_IN -> RedisKeys.trending(of);
                case CO_VISITS -> RedisKeys.coVisits(of);
                case TRANSITIONS -> RedisKeys.transitions(of);
            };
        }
    }
}
