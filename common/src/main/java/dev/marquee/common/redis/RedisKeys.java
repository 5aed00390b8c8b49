package dev.marquee.common.redis;

import java.time.Duration;

/**
 * Every Redis key the platform uses. User and item state is bounded: lists are capped, user keys expire.
 */
public final class RedisKeys {
    /** Recently interacted item ids, newest first; capped at {@link #RECENT_CAP}. */
    public static String userRecent(String userId) {
        return "u:" + userId + ":recent";
    }

    /** Inverse of {@link #userRecent}: the user id in such a key. */
    public static String userIdOfRecentKey(String key) {
        return key.substring("u:".length(), key.length() - ":recent".length());
    }

    /** Decayed, weighted sum of the vectors of the items the user interacted with (float32 little endian). */
    public static String userTaste(String userId) {
        return "u:" + userId + ":taste";
    }

    /** Hash category -> decayed interaction weight. */
    public static String userCategories(String userId) {
        return "u:" + userId + ":cat";
    }

    /** Number of events the user produced (a counter). */
    public static String userEventCount(String userId) {
        return "u:" + userId + ":n";
    }

    /** Hash with the item's title, category, price, model version and vector (field {@code vec}, float32 LE). */
    public static String item(String itemId) {
        return "i:" + itemId;
    }

    /** Set of every embedded item id. */
    public static final String ALL_ITEMS = "items";

    /** Sorted set item id -> weighted interaction count. */
    public static final String POPULAR = "pop";

    /** Marker that an event id was processed (idempotency), expires after {@link #EVENT_ID_TTL}. */
    public static String processedEvent(String eventId) {
        return "e:" + eventId;
    }

    public static final int RECENT_CAP = 100;
    public static final Duration USER_TTL = Duration.ofDays(30);
    public static final Duration EVENT_ID_TTL = Duration.ofDays(1);

    public static final String ITEM_TITLE = "title";
    public static final String ITEM_CATEGORY = "category";
    public static final String ITEM_PRICE = "price";
    public static final String ITEM_VECTOR = "vec";
    public static final String ITEM_MODEL = "model";

    private RedisKeys() {
    }
}
