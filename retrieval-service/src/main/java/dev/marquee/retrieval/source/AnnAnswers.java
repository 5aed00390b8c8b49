package dev.marquee.retrieval.source;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The answers of repeated identical ANN queries, refreshed ahead: an answer younger than {@code ttl} is served as it
 * is; asked for again after that, it is still served at once and the {@code refresh} function is asked for a new
 * answer (it may come later, e.g. with a batch of refreshes), which replaces it (a failed refresh leaves it in place);
 * an answer older than {@code maxAge} (+-20 % per answer, so that answers cached in the same seconds do not expire
 * together; older since it was searched, or last found current, below) is never served, its query is searched on the
 * caller's thread ({@code search}). So a query that repeats at least once per {@code maxAge} never waits for Milvus
 * after its first search, and no answer is older than {@code maxAge}.
 *
 * <p>A refresh starts after a random delay of up to {@code refreshSpread} (the old answer served meanwhile). Without
 * it, answers cached in the same seconds (users coming back after a quiet spell, a rise in traffic) were all refreshed
 * in the same seconds again every {@code ttl}: a wave of Milvus searches every ~30 s that took a third of a core for
 * ~5 s on the 2-core box, and the slowest requests of a run came with it (docs/benchmarks.md, 2026-12-06 (4)). With
 * the delay, the refreshes of such a crowd are spread over {@code refreshSpread}, and over more each round, as every
 * answer's next refresh is due {@code ttl} after its own.
 *
 * <p>An answer only changes when the catalog does: each answer keeps the catalog version ({@code catalog},
 * {@link CatalogVersion}) it was searched at, and while that version is still current, the answer is kept past the
 * {@code ttl} as it is, with no search, until a moment drawn for it between half its {@code maxAge} and its
 * {@code maxAge} (a net for writes the version missed); then, or as soon as the version moved, or when the version is
 * unknown, it is searched again as above. With a catalog at rest, Milvus sees a repeated query about once per
 * {@code 0.75 maxAge} instead of once per {@code ttl}; the draw keeps answers searched together (the first requests
 * after a start) from being searched again together, which a fixed age did: a wave of searches every ~2 minutes.
 *
 * @param <Q> a query, compared by value
 * @param <A> its answer
 */
final class AnnAnswers<Q, A> {
    /**
     * An answer, the catalog version it was searched at ({@link CatalogVersion#UNKNOWN}: not known) and the moment
     * (clock nanoseconds) until which it may be kept without a search while that version is current.
     */
    private record Stamped<A>(A answer, long version, long keepUntil) {
    }

    private final LoadingCache<Q, Stamped<A>> cache;
    private final LongSupplier catalog;
    private final LongSupplier clock;
    private final long maxAgeNanos;

    /**
     * @param refreshSpread a refresh starts after a random delay of up to this (0: at once)
     * @param executor runs the cache's own upkeep and starts the delayed refreshes
     * @param clock   the time the ages are measured on, in nanoseconds
     * @param catalog the catalog version every search now sees, or {@link CatalogVersion#UNKNOWN}
     * @param search  a query's answer, on the caller's thread
     * @param refresh a query's new answer in the background; failing, it leaves the old one in place
     */
    AnnAnswers(Duration ttl, Duration maxAge, Duration refreshSpread, long maxSize, Executor executor,
               LongSupplier clock, LongSupplier catalog, Function<Q, A> search,
               Function<Q, CompletableFuture<A>> refresh) {
        if (ttl.isZero() || ttl.isNegative() || maxAge.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("need 0 < ttl <= maxAge, got ttl " + ttl + ", maxAge " + maxAge);
        }
        if (refreshSpread.isNegative()) {
            throw new IllegalArgumentException("refreshSpread must not be negative, got " + refreshSpread);
        }
        this.catalog = catalog;
        this.clock = clock;
        this.maxAgeNanos = maxAge.toNanos();
        long spreadNanos = refreshSpread.toNanos();
        Function<Q, CompletableFuture<Stamped<A>>> stampedRefresh = query -> {
            Function<A, Stamped<A>> stamp = stampNow();
            return refresh.apply(query).thenApply(stamp);
        };
        this.cache = Caffeine.newBuilder()
                .ticker(clock::getAsLong)
                .refreshAfterWrite(ttl)
                .expireAfter(Expiry.writing((Q q, Stamped<A> answer) -> jittered(maxAge)))
                .executor(executor)
                .maximumSize(maxSize)
                .build(new CacheLoader<Q, Stamped<A>>() {
                    @Override
                    public Stamped<A> load(Q query) {
                        Function<A, Stamped<A>> stamp = stampNow();
                        return stamp.apply(search.apply(query));
                    }

                    @Override
                    public CompletableFuture<Stamped<A>> asyncReload(Q query, Stamped<A> old, Executor unused) {
                        if (stillCurrent(old)) { // kept as it is: a new instance, so that it counts as written now
                            return CompletableFuture.completedFuture(new Stamped<>(old.answer(), old.version(),
                                    old.keepUntil()));
                        }
                        if (spreadNanos == 0) {
                            return stampedRefresh.apply(query);
                        }
                        Executor later = CompletableFuture.delayedExecutor(
                                ThreadLocalRandom.current().nextLong(spreadNanos), TimeUnit.NANOSECONDS, executor);
                        return CompletableFuture.supplyAsync(() -> query, later).thenCompose(stampedRefresh);
                    }
                });
    }

    /** Searched at the catalog version that is still current, and not yet due for a search anyway. */
    private boolean stillCurrent(Stamped<A> old) {
        return old.version() != CatalogVersion.UNKNOWN && old.version() == catalog.getAsLong()
                && clock.getAsLong() - old.keepUntil() < 0;
    }

    /**
     * Stamps the answer of a search that starts now: the catalog version as it is before the search, and a moment
     * between half the max age and the max age from now.
     */
    private Function<A, Stamped<A>> stampNow() {
        long version = catalog.getAsLong();
        long keepUntil = clock.getAsLong() + maxAgeNanos / 2
                + ThreadLocalRandom.current().nextLong(maxAgeNanos / 2 + 1);
        return answer -> new Stamped<>(answer, version, keepUntil);
    }

    A get(Q query) {
        return cache.get(query).answer();
    }

    /**
     * {@link #get}'s answer when it is in memory (one past its TTL too: it is served while its refresh runs in the
     * background), else {@code null} without a search.
     */
    A getIfPresent(Q query) {
        Stamped<A> s = cache.getIfPresent(query);
        return s == null ? null : s.answer();
    }

    private static Duration jittered(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
    }
}
