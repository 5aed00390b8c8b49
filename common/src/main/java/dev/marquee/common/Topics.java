package dev.marquee.common;

/** Kafka topic names, one place for every service. */
public final class Topics {
    /** User interaction events, keyed by user id (per-user ordering). */
    public static final String EVENTS = "marquee.events";
    /** Catalog items, keyed by item id; compacted (latest version of each item wins). */
    public static final String CATALOG = "marquee.catalog";
    /** Events the stream consumer could not process, with the reason in a header. */
    public static final String EVENTS_DEAD_LETTER = "marquee.events.dlt";
    /** Impressions joined with the engagement that followed them (LabelledExample), keyed by user id. */
    public static final String EXAMPLES = "marquee.examples";
    /**
     * The feature rows the ranking model scored (ServedFeatures: the top of each ranked list), keyed by user id;
     * the trainer joins them with {@link #EXAMPLES} by example id so it learns from what the model saw.
     */
    public static final String SERVED_FEATURES = "marquee.served-features";

    private Topics() {
    }
}
