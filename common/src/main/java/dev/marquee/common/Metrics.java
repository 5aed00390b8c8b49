package dev.marquee.common;

/** Micrometer metric and tag names shared across services. */
public final class Metrics {
    /** Counter of consumed events, tag {@code outcome}: applied, duplicate, dead_letter. */
    public static final String FEATURE_EVENTS = "marquee.features.events";
    /** Timer from an event's timestamp to its features being written in Redis. */
    public static final String FEATURE_FRESHNESS = "marquee.features.freshness";
    /** Counter of labelled examples (impressions with their outcome) published by the stream consumer. */
    public static final String LABELLED_EXAMPLES = "marquee.features.examples";
    /** Counter of embedded catalog items. */
    public static final String EMBEDDED_ITEMS = "marquee.embedding.items";
    /** Timer of one encoder forward pass, tag {@code batch}. */
    public static final String ENCODE = "marquee.embedding.encode";
    /** Timer of one /recommend stage, tag {@code stage}. */
    public static final String STAGE = "marquee.recommend.stage";
    /** Counter of degraded responses, tag {@code reason}. */
    public static final String DEGRADED = "marquee.recommend.degraded";
    /** Timer of one candidate source, tag {@code source}. */
    public static final String SOURCE = "marquee.retrieval.source";

    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_STAGE = "stage";
    public static final String TAG_SOURCE = "source";
    public static final String TAG_REASON = "reason";

    private Metrics() {
    }
}
