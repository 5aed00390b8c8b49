package dev.marquee.ingest.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the stream consumer turns events into features ({@code marquee.features.*}). Every structure is capped or expires.
 *
 * @param tasteDecay         factor applied to the taste vector before each new event (default 0.95: the last ~20
 *                           events dominate), on top of the time decay below
 * @param tasteHalfLife      the taste vector loses half its weight after this much time without events (default 14d)
 * @param categoryHalfLife   half-life of category affinities (default 7d)
 * @param categoryCap        categories kept per user, the strongest (default 16)
 * @param recentCap          recent items kept per user (default 30)
 * @param sessionGap         events without a session id further apart than this start a new session (default 30m)
 * @param sessionCap         items remembered of the current session (default 10)
 * @param coVisitWindow      an item is paired with this many previous items of its session (default 5)
 * @param coVisitCap         co-visited items kept per item, the strongest (default 50)
 * @param popularHalfLife    half-life of the popularity sorted sets (default 7d)
 * @param popularCap         items kept per popularity set (global and per category; default 5000)
 * @param trendingHalfLife   half-life of the trending sorted sets (default 1h)
 * @param trendingCap        items kept per trending set (default 1000)
 * @param dedupPeriod        an applied event id is remembered for one to two of these periods (default 24h)
 * @param dedupShards        seen-event sets per period; keep each under Redis' set-max-intset-entries (8192 in
 *                           deploy/) so they stay compact integer sets (default 256: ~2M events per period)
 * @param labelWindow        an impression followed by a click, add-to-cart or purchase of the same item by the same
 *                           user within this time is a positive example, otherwise a negative one (default 30m)
 * @param labelImpressionWait an engagement that names its request ({@code context.requestId}) but reaches the stream
 *                           before that request's impression of the item waits this long (event time) for it; the
 *                           impression is then a positive example (the gateway batches impressions for its producer's
 *                           {@code linger.ms} while clients send clicks at once; default 10s, 0 does not wait: such
 *                           an engagement is not joined and its impression becomes a negative)
 * @param labelFlushInterval how often impressions past their window are turned into negative examples, on the label
 *                           flusher's own thread, for at most half an interval each time (default 200ms)
 * @param writeGroupUsers    a consumer batch's writes go to Redis as one atomic transaction per group of this many
 *                           users (with everything their events change); item increments (popularity, trending,
 *                           co-visitation, CTR counters) are summed per group and the seen event ids go as one SADD
 *                           per shard and group, so larger groups cost Redis less per event; Redis serves other
 *                           clients only between groups (default 5000, the poll size: a whole batch is one
 *                           transaction, ~27 % less Redis CPU per event than groups of 500 in the events benchmark,
 *                           but a 5,000-event catch-up batch holds Redis for ~25-35 ms on 2 cores instead of ~8 ms;
 *                           live batches are small either way)
 * @param deferWritesFrom    the writes of a batch of at least this many events (a backlog: the next poll returns
 *                           at once) are sent only once the next batch's reads are answered, so that those reads do
 *                           not wait behind them in Redis and Redis applies them while the consumer computes the next
 *                           batch (default 1000; 0 never defers; live batches are smaller and go at once)
 * @param deferWritesAtMost  a deferred batch's writes are sent after this long if the next batch's reads did not send
 *                           them (the backlog ended); longer than it takes to poll, parse and read a full batch, or
 *                           the writes go before those reads and hold them up (default 100ms; with 20 ms, 10,000-event
 *                           batches' reads waited ~40 ms for a transaction the timer had sent)
 * @param itemCacheTtl       the consumer keeps an item's category and vector this long after reading them, so a change
 *                           to an item (catalog update, new encoder) reaches its features within this time; 0 reads
 *                           every item for every batch (default 10s)
 * @param itemCacheSize      items kept at most, the least recently used go first (default 100000, ~60 MB with
 *                           128-dimension vectors)
 * @param transitionWindow   each interaction is counted as the successor of the user's this many previous items, across
 *                           sessions, the item just before weighing {@code transitionWindow}, the one before it one
 *                           less, and so on ({@code tr:<item>}; default 5, 0 keeps no transitions; the ranking's
 *                           trainer takes the user's own steps out of the lists with the default, common
 *                           {@code NeighbourScores.WINDOW}, as it does for {@code coVisitWindow})
 * @param transitionCap      successors kept per item, the strongest (default 100)
 * @param historyCap         items kept in a user's history ({@code h:<user>}, never recommended again), the most recent
 *                           (default 5000)
 * @param poisonAttempts     a batch that fails this many times in a row for the same reason, a reason that is no
 *                           Redis or Kafka failure (a record the feature maths cannot apply), is applied one event at a
 *                           time: the events that fail go to the dead-letter topic with the reason, the others are
 *                           applied, and the stream moves on (default 3). Outages are retried for as long as they last.
 * @param catalogRebuildWait a rebuild of the features from the events topic waits at most this long for the catalog's
 *                           view (item categories and vectors) to be complete (default 5m)
 */
@Validated
@ConfigurationProperties("marquee.features")
public record FeatureProperties(
        @DefaultValue("0.95") @DecimalMin("0.0") @DecimalMax("1.0") double tasteDecay,
        @DefaultValue("14d") Duration tasteHalfLife,
        @DefaultValue("7d") Duration categoryHalfLife,
        @DefaultValue("16") @Min(1) @Max(1000) int categoryCap,
        @DefaultValue("30") @Min(1) @Max(1000) int recentCap,
        @DefaultValue("30m") Duration sessionGap,
        @DefaultValue("10") @Min(1) @Max(100) int sessionCap,
        @DefaultValue("5") @Min(0) @Max(100) int coVisitWindow,
        @DefaultValue("50") @Min(1) @Max(10000) int coVisitCap,
        @DefaultValue("7d") Duration popularHalfLife,
        @DefaultValue("5000") @Min(1) int popularCap,
        @DefaultValue("1h") Duration trendingHalfLife,
        @DefaultValue("1000") @Min(1) int trendingCap,
        @DefaultValue("24h") Duration dedupPeriod,
        @DefaultValue("256") @Min(1) @Max(65536) int dedupShards,
        @DefaultValue("30m") Duration labelWindow,
        @DefaultValue("10s") Duration labelImpressionWait,
        @DefaultValue("200ms") Duration labelFlushInterval,
        @DefaultValue("5000") @Min(1) @Max(100000) int writeGroupUsers,
        @DefaultValue("1000") @Min(0) int deferWritesFrom,
        @DefaultValue("100ms") Duration deferWritesAtMost,
        @DefaultValue("10s") Duration itemCacheTtl,
        @DefaultValue("100000") @Min(1) int itemCacheSize,
        @DefaultValue("3") @Min(1) @Max(100) int poisonAttempts,
        @DefaultValue("5") @Min(0) @Max(50) int transitionWindow,
        @DefaultValue("100") @Min(1) @Max(10000) int transitionCap,
        @DefaultValue("5000") @Min(1) @Max(100000) int historyCap,
        @DefaultValue("5m") Duration catalogRebuildWait) {
}
