package dev.marquee.common;

/** Micrometer metric and tag names shared across services. */
public final class Metrics {
    /** Counter of consumed events, tag {@code outcome}: applied, duplicate, dead_letter. */
    public static final String FEATURE_EVENTS = "marquee.features.events";
    /** Timer from an event's timestamp to its features being written in Redis. */
    public static final String FEATURE_FRESHNESS = "marquee.features.freshness";
    /** Timer of one consumer batch's stages, tag {@code stage}: read (Redis), compute (incl. example sends), write. */
    public static final String FEATURE_BATCH = "marquee.features.batch";
    /** Counter of labelled examples (impressions with their outcome) from the stream consumer, tag {@code outcome}: sent, displaced. */
    public static final String LABELLED_EXAMPLES = "marquee.features.examples";
    /** Counter of embedded catalog items. */
    public static final String EMBEDDED_ITEMS = "marquee.embedding.items";
    /** Counter of catalog writes (Milvus, then Redis) that failed; the consumer re-reads and retries them. */
    public static final String EMBEDDING_WRITE_FAILURES = "marquee.embedding.write.failures";
    /** Timer of one encoder forward pass, tag {@code batch}. */
    public static final String ENCODE = "marquee.embedding.encode";
    /** Timer of one /recommend stage, tag {@code stage}. */
    public static final String STAGE = "marquee.recommend.stage";
    /** Counter of /recommend requests, tag {@code variant} (the A/B arm). */
    public static final String REQUESTS = "marquee.recommend.requests";
    /** Counter of degraded responses, tag {@code reason}. */
    public static final String DEGRADED = "marquee.recommend.degraded";
    /** Counter of impressions the gateway logged, tag {@code outcome}: sent, failed, dropped (queue full). */
    public static final String IMPRESSIONS_LOGGED = "marquee.recommend.impressions";
    /**
     * Counter of /rank requests whose feature rows the ranking service logged ({@link Topics#SERVED_FEATURES}), tag
     * {@code outcome}: sent, failed (Kafka refused or unreachable), dropped (queue full).
     */
    public static final String SERVED_FEATURES_LOGGED = "marquee.ranking.served.features";
    /**
     * Counter of the rows of labelled-example training runs, tag {@code source}: logged (the row served), current
     * (no logged row: computed from the feature store now), stale (logged under another feature list: not used).
     */
    public static final String TRAINING_ROWS = "marquee.ranking.training.rows";
    /** Timer of one candidate source, tag {@code source}. */
    public static final String SOURCE = "marquee.retrieval.source";
    /** Distribution of the number of query vectors per Milvus ANN search (concurrent queries are batched). */
    public static final String ANN_BATCH = "marquee.retrieval.ann.batch";

    /**
     * Counter of the ANN source's answers by where they came from, tag {@code from}: precomputed (the user's list
     * computed off the request path), cached (an identical query's answer in memory), searched (Milvus on the request
     * path).
     */
    public static final String ANN_ANSWERS = "marquee.retrieval.ann.answers";
    /** Counter of users whose ANN list was computed off the request path. */
    public static final String ANN_LISTS = "marquee.retrieval.ann.lists";
    /** Timer of one round of ANN list computation (take due users, read, search, write). */
    public static final String ANN_LIST_ROUND = "marquee.retrieval.ann.list.round";
    public static final String TAG_FROM = "from";

    /** Counter of events the simulator sent, tags {@code mode} (backfill, live, closed_loop) and {@code type}. */
    public static final String SIMULATOR_EVENTS = "marquee.simulator.events";
    /** Counter of the simulator's closed-loop /recommend calls, tag {@code outcome}: ok, error. */
    public static final String SIMULATOR_REQUESTS = "marquee.simulator.requests";
    /** Counter of items shown to simulated users in the closed loop (CTR = closed_loop clicks / this). */
    public static final String SIMULATOR_SHOWN = "marquee.simulator.shown";

    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_STAGE = "stage";
    public static final String TAG_SOURCE = "source";
    public static final String TAG_REASON = "reason";
    public static final String TAG_VARIANT = "variant";
    public static final String TAG_MODE = "mode";
    public static final String TAG_TYPE = "type";

    /**
     * Counter of records read by the ingest bulk import endpoints, tags {@code format} (events, movielens_movies,
     * movielens_ratings) and {@code outcome}: imported (acknowledged by Kafka), rejected (invalid line or row).
     */
    public static final String IMPORT_RECORDS = "marquee.ingest.import.records";
    public static final String TAG_FORMAT = "format";

    private Metrics() {
    }
}
