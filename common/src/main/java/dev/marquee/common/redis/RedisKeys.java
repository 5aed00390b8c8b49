package dev.marquee.common.redis;

import java.time.Duration;

/**
 * Every Redis key the platform uses, with what bounds it (a cap or a TTL). See docs/architecture.md, "Feature store".
 */
public final class RedisKeys {
    // --- users: one value per user ({@link dev.marquee.common.feature.UserState#toBytes}), expires USER_TTL after the
    // last event. The prefix was "u:" while the state was a hash of eight fields: values under the old prefix are
    // never read and expire.

    /** The user's state. */
    public static String user(String userId) {
        return USER_PREFIX + userId;
    }

    /** Inverse of {@link #user}. */
    public static String userIdOfKey(String key) {
        return key.substring(USER_PREFIX.length());
    }

    public static final String USER_PREFIX = "us:";

    public static final Duration USER_TTL = Duration.ofDays(30);

    // --- items ---------------------------------------------------------------------------------------------------

    /** Hash with the item's catalog fields: title, category, price, model version, vector. */
    public static String item(String itemId) {
        return "i:" + itemId;
    }

    public static final String ITEM_TITLE = "title";
    public static final String ITEM_CATEGORY = "category";
    public static final String ITEM_PRICE = "price";
    public static final String ITEM_VECTOR = "vec";
    public static final String ITEM_MODEL = "model";

    // What events and catalog updates change of an item lives in one key per field for all items (the field is the
    // item id), not in the item's hash: a request rereads these of all its candidates every few seconds, and one
    // multi-item command per key costs Redis and the caller far less than one command per item (docs/benchmarks.md,
    // "2026-12-03 (2)"). One field per item that had events or was withdrawn: bounded by the items.

    /** Hash item id -> times the item was shown (impression events), for CTR. */
    public static final String ITEM_IMPRESSIONS = "items:imp";
    /** Hash item id -> clicks on the item, for CTR. */
    public static final String ITEM_CLICKS = "items:clk";
    /** Set of the ids of items the catalog withdrew (inactive): never recommended. */
    public static final String INACTIVE_ITEMS = "items:inactive";

    /** Set of every embedded item id. */
    public static final String ALL_ITEMS = "items";

    /**
     * Counter of the changes to the searchable item vectors: incremented by the embedding service after each write of
     * item vectors to Milvus and each swap of the served collection. Retrieval searches a cached ANN answer again only
     * when it moved (docs/architecture.md, "Refresh only what can have changed").
     */
    public static final String CATALOG_VERSION = "items:version";

    /** Sorted set item id -> forward-decayed weighted interaction count (half-life days); capped. */
    public static final String POPULAR = "pop";

    /** {@link #POPULAR} within one category. */
    public static String popular(String category) {
        return "pop:c:" + category;
    }

    /**
     * Sorted set item id -> forward-decayed weighted interaction count with a short half-life (hours) of the items the
     * catalog gives no category; capped. Trending overall is this set and every category's ({@link #trending(String)})
     * merged: their scores share one decay landmark, and the stream consumer increments one trending set per event
     * instead of two (docs/architecture.md, "Trending overall is merged at read time").
     */
    public static final String TRENDING_UNCATEGORIZED = "trend";

    /** Trending ({@link #TRENDING_UNCATEGORIZED}'s counts) within one category. */
    public static String trending(String category) {
        return "trend:c:" + category;
    }

    /** Set of the categories that have popularity and trending keys. */
    public static final String CATEGORIES = "cats";

    /** Hash family -> {@code landmarkMillis/halfLifeMillis} of the forward-decayed sorted sets (see ForwardDecay). */
    public static final String DECAY_LANDMARKS = "decay";
    public static final String DECAY_POPULAR = "pop";
    public static final String DECAY_TRENDING = "trend";

    /** Sorted set other item id -> times seen in the same session as this item; capped. */
    public static String coVisits(String itemId) {
        return "cv:" + itemId;
    }

    /**
     * Sorted set next item id -> how often, and how closely, it followed this item in a user's sequence of
     * interactions (within the last few items, across sessions; a closer successor weighs more); capped.
     */
    public static String transitions(String itemId) {
        return "tr:" + itemId;
    }

    /**
     * Sorted set item id -> time (millis) of the user's last interaction with it: the whole history that
     * {@code /recommend} never proposes again, capped at the most recent {@code marquee.features.history-cap} items;
     * expires {@link #USER_TTL} after the user's last event, as their state does. Kept only for users with more events
     * than their state's recent items hold (those are the whole history of the others).
     */
    public static String history(String userId) {
        return "h:" + userId;
    }

    // --- ANN candidates computed off the request path (docs/architecture.md, "ANN off the request path") ---------

    /**
     * Set of the users whose taste vector changed since their ANN list ({@link #annList}) was computed: the stream
     * consumer adds them with each batch, retrieval takes them out ({@code SPOP}) and computes their lists. Bounded by
     * the users.
     */
    public static final String ANN_DUE = "ann:due";

    /**
     * The user's nearest items to their taste vector as last computed ({@code AnnLists} in retrieval: binary, with the
     * event count and catalog version it was computed at); expires {@code marquee.retrieval.ann-list-ttl} after that.
     */
    public static String annList(String userId) {
        return "ann:u:" + userId;
    }

    // --- stream consumer bookkeeping -------------------------------------------------------------------------------

    /**
     * Integer set of 64-bit hashes of applied event ids, one of {@code shards} per generation (a period of wall-clock
     * time); a generation expires two periods after it started, so an id is remembered for one to two periods.
     */
    public static String seenEvents(long generation, int shard) {
        return "seen:" + generation + ":" + shard;
    }

    /**
     * Sorted set user id -> earliest due time (millis) of the user's pending impressions (in its {@link #user} state),
     * one per partition; a user leaves it when nothing of theirs is pending.
     */
    public static String labelsDue(int partition) {
        return "lbl:due:" + partition;
    }

    /**
     * Hash {@code <topic>-<partition>} -> when the view started reading that partition from its first offset
     * ({@code ReplayMarks}); one per view of Kafka kept in Redis ({@link #VIEW_FEATURES}, {@link #VIEW_CATALOG}).
     */
    public static String replayMarks(String view) {
        return "replayed:" + view;
    }

    /**
     * Present while the view is being rebuilt from the beginning of its topic (with a time to live, in case the
     * rebuilding consumer dies); views that read this one wait for it ({@code ReplayMarks#isComplete}).
     */
    public static String rebuilding(String view) {
        return "rebuilding:" + view;
    }

    /** The stream consumer's view of the events topic: user features, neighbour lists, counters, popularity. */
    public static final String VIEW_FEATURES = "features";
    /** The embedding service's view of the catalog topic: item features here, vectors in Milvus. */
    public static final String VIEW_CATALOG = "catalog";

    private RedisKeys() {
    }
}
