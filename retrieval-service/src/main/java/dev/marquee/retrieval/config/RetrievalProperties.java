package dev.marquee.retrieval.config;

import dev.marquee.common.milvus.ItemCollectionSchema;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param milvusUri     Milvus proxy address
 * @param collection    collection (or alias) of item vectors
 * @param annBudget     time budget of the Milvus ANN source (default 40 ms); past it the source is dropped
 * @param popularBudget time budget of the popularity source (default 20 ms)
 * @param coVisitationBudget time budget of the co-visitation source (default 20 ms)
 * @param coVisitationSeeds  how many of the user's most recent items seed co-visitation (default 5)
 * @param transitionBudget   time budget of the transitions source, what followed the user's last items (20 ms)
 * @param transitionSeeds    how many of the user's most recent items seed the transitions source (default 5)
 * @param historyOverAsk     for a user whose history is longer than their recent items, sources are asked for this
 *                           many times the candidates, as the history filter drops those seen (default 2.0)
 * @param categoryBudget     time budget of the source of trending/popular items in the user's categories (20 ms)
 * @param topCategories      how many of the user's strongest categories that source draws from (default 3)
 * @param annEf         HNSW search breadth (default 64)
 * @param maxCandidates most candidates one call may ask for (default 500)
 * @param embeddingUrl  the embedding service, which turns stated interests into vectors
 * @param interestsBudget  time budget of the stated-interests source (embedding + ANN, default 150 ms: the T5 pass
 *                         runs on CPU when there is no GPU; a cached text costs only the ANN search)
 * @param interestCacheSize how many distinct interest texts keep their vectors in memory (default 10,000)
 * @param annCacheTtl   how long an ANN answer is reused as it is for the identical query (same vector, exclusions,
 *                      filters; default 30s; 0 turns the cache off). Asked for again after that, it is still served
 *                      and searched again off the request path, the new answer replacing it
 * @param annCacheMaxAge the oldest an ANN answer is ever served, since it was searched or last found current
 *                      ({@code catalogVisibilityLag}) (default 120s, each answer +-20 % so that answers cached
 *                      together do not expire together; at least {@code annCacheTtl}): past it the query goes to
 *                      Milvus on the request path. The only staleness an identical query can see is the catalog's:
 *                      items added since are missing (withdrawn ones are dropped by ranking)
 * @param annRefreshSpread a refresh of an ANN answer starts after a random delay of up to this (default 10s; 0 at
 *                      once; {@code ann-cache-ttl} plus this at most {@code ann-cache-max-age}), the answer served
 *                      meanwhile: answers cached in the same seconds (a crowd coming back, a rise in traffic) are not
 *                      refreshed in the same seconds, every ttl, in a wave of Milvus searches
 * @param annRefreshLinger how long a background refresh of an ANN answer waits for others to share its Milvus search
 *                      (default 250ms; 0 sends each at once): a search costs Milvus a fixed ~2-4 ms of CPU plus a
 *                      fraction of that per query vector, and refreshes come one by one, as users come back
 * @param annCacheSize  most ANN answers kept (default 20,000)
 * @param popularCacheTtl how long the global popular list is reused (default 1s; 0 reads Redis every time)
 * @param annBatchMax   most query vectors in one Milvus search (default 32): ANN queries that arrive while
 *                      {@code annBatchConcurrency} searches are in flight go to Milvus together
 * @param annBatchConcurrency most Milvus searches in flight per filter expression (default 2); below it a query is
 *                      sent at once, alone
 * @param catalogVersionPoll how often the version of the searchable item vectors is read from Redis (default 1s)
 * @param catalogVisibilityLag how long after it is first seen a new version of the item vectors counts as visible
 *                      to every ANN search (default 10s: searches are of bounded consistency, which lets them miss
 *                      writes of the last 5 s in Milvus' default). While the version has not moved since an answer
 *                      was searched, the answer is kept past {@code ann-cache-ttl} without a search, up to
 *                      {@code ann-cache-max-age} from its search
 * @param annLists      compute each user's ANN list off the request path after their taste changes ({@code AnnLists};
 *                      default true): the ANN source then answers from the list, and searches Milvus on the request
 *                      path only for a user who has none (or for a category-filtered request)
 * @param annListSize   items kept per user's list (default 120: the 100 candidates of a request and the user's
 *                      recent items it drops)
 * @param annListTtl    how long a user's list is kept after it was computed (default 7d)
 * @param annListBatch  users whose lists are computed together, in one Milvus search (default 64)
 * @param annListIdle   the pause after a round that took fewer users than a batch (default 250ms), so that users
 *                      who come due one by one share a Milvus search and its fixed cost; with a batch or more due,
 *                      rounds follow each other at once
 * @param annListMinInterval a user's list is computed at most once per this in one process (default 5s): a user due
 *                      again sooner waits for the interval's end, so that a user clicking away costs one Milvus
 *                      query per interval, not one per event; their list lags their taste by up to this
 * @param milvusDeadline every Milvus call's RPC deadline (default 2s): a hung Milvus costs a background search this
 *                      at most (request-path searches stop waiting at their source's budget)
 * @param milvusConnectTimeout how long one attempt to connect to Milvus may take (default 5s), off the request path
 * @param milvusReconnect the pause between attempts to connect while Milvus is not reachable (default 5s); the
 *                      service starts and serves without it meanwhile (the ANN source fails open)
 * @param circuitOpen    once nearly all of a source's recent fetches were outages (timeouts, I/O, Milvus errors; the
 *                      rule is {@code OutageBreakers}'), it is skipped at once this long, then probed (default 1s)
 */
@Validated
@ConfigurationProperties("marquee.retrieval")
public record RetrievalProperties(
        @DefaultValue("http://127.0.0.1:19530") @NotBlank String milvusUri,
        @DefaultValue(ItemCollectionSchema.DEFAULT_COLLECTION) @NotBlank String collection,
        @DefaultValue("40ms") @NotNull Duration annBudget,
        @DefaultValue("20ms") @NotNull Duration popularBudget,
        @DefaultValue("20ms") @NotNull Duration coVisitationBudget,
        @DefaultValue("5") @Min(1) @Max(100) int coVisitationSeeds,
        @DefaultValue("20ms") @NotNull Duration categoryBudget,
        @DefaultValue("3") @Min(1) @Max(50) int topCategories,
        @DefaultValue("64") @Min(1) int annEf,
        @DefaultValue("500") @Min(1) @Max(5000) int maxCandidates,
        @DefaultValue("http://127.0.0.1:8082") @NotBlank String embeddingUrl,
        @DefaultValue("150ms") @NotNull Duration interestsBudget,
        @DefaultValue("10000") @Min(1) int interestCacheSize,
        @DefaultValue("30s") @NotNull Duration annCacheTtl,
        @DefaultValue("120s") @NotNull Duration annCacheMaxAge,
        @DefaultValue("10s") @NotNull Duration annRefreshSpread,
        @DefaultValue("250ms") @NotNull Duration annRefreshLinger,
        @DefaultValue("20000") @Min(1) int annCacheSize,
        @DefaultValue("1s") @NotNull Duration popularCacheTtl,
        @DefaultValue("32") @Min(1) @Max(1024) int annBatchMax,
        @DefaultValue("2") @Min(1) @Max(64) int annBatchConcurrency,
        @DefaultValue("1s") @NotNull Duration catalogVersionPoll,
        @DefaultValue("10s") @NotNull Duration catalogVisibilityLag,
        @DefaultValue("20ms") @NotNull Duration transitionBudget,
        @DefaultValue("5") @Min(1) @Max(100) int transitionSeeds,
        @DefaultValue("2.0") @DecimalMin("1.0") @DecimalMax("10.0") double historyOverAsk,
        @DefaultValue("true") boolean annLists,
        @DefaultValue("120") @Min(1) @Max(1000) int annListSize,
        @DefaultValue("7d") @NotNull Duration annListTtl,
        @DefaultValue("64") @Min(1) @Max(1000) int annListBatch,
        @DefaultValue("250ms") @NotNull Duration annListIdle,
        @DefaultValue("5s") @NotNull Duration annListMinInterval,
        @DefaultValue("2s") @NotNull Duration milvusDeadline,
        @DefaultValue("5s") @NotNull Duration milvusConnectTimeout,
        @DefaultValue("5s") @NotNull Duration milvusReconnect,
        @DefaultValue("1s") @NotNull Duration circuitOpen) {
    /** An answer is refreshed before it may no longer be served. */
    @AssertTrue(message = "ann-cache-max-age must be at least ann-cache-ttl")
    public boolean isAnnCacheMaxAgeAtLeastTtl() {
        return annCacheMaxAge.compareTo(annCacheTtl) >= 0;
    }

    /** The version is read now and then, and counted only after it was read (neither is negative). */
    @AssertTrue(message = "catalog-version-poll must be positive and catalog-visibility-lag at least 0")
    public boolean isCatalogVersionPollPositive() {
        return !catalogVersionPoll.isZero() && !catalogVersionPoll.isNegative() && !catalogVisibilityLag.isNegative();
    }

    /** A refresh starts before its answer may no longer be served (the spread is never negative). */
    @AssertTrue(message = "ann-refresh-spread must be at least 0 and ann-cache-ttl + ann-refresh-spread at most "
            + "ann-cache-max-age")
    public boolean isAnnRefreshSpreadWithinMaxAge() {
        return !annRefreshSpread.isNegative() && annCacheTtl.plus(annRefreshSpread).compareTo(annCacheMaxAge) <= 0;
    }

}
