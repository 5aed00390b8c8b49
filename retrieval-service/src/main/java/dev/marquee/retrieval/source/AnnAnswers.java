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
 * together) is never served, its query is searched on the caller's thread ({@code search}). So a query that repeats at
 * least once per {@code maxAge} never waits for Milvus after its first search, and no answer is older than
 * {@code maxAge}.
 *
 * <p>A refresh starts after a random delay of up to {@code refreshSpread} (the old answer served meanwhile). Without
 * it, answers cached in the same seconds (users coming back after a quiet spell, a rise in traffic) were all refreshed
 * in the same seconds again every {@code ttl}: a wave of Milvus searches every ~30 s that took a third of a core for
 * ~5 s on the 2-core box, and the slowest requests of a run came with it (docs/benchmarks.md, 2026-12-06 (4)). With
 * the delay, the refreshes of such a crowd are spread over {@code refreshSpread}, and over more each round, as every
 * answer's next refresh is due {@code ttl} after its own.
 *
 * @param <Q> a query, compared by value
 * @param <A> its answer
 */
final class AnnAnswers<Q, A> {
    private final LoadingCache<Q, A> cache;

    /**
     * @param refreshSpread a refresh starts after a random delay of up to this (0: at once)
     * @param executor runs the cache's own upkeep and starts the delayed refreshes
     * @param clock   the time the ages are measured on, in nanoseconds
     * @param search  a query's answer, on the caller's thread
     * @param refresh a query's new answer in the background; failing, it leaves the old one in place
     */
    AnnAnswers(Duration ttl, Duration maxAge, Duration refreshSpread, long maxSize, Executor executor,
               LongSupplier clock, Function<Q, A> search, Function<Q, CompletableFuture<A>> refresh) {
        if (ttl.isZero() || ttl.isNegative() || maxAge.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("need 0 < ttl <= maxAge, got ttl " + ttl + ", maxAge " + maxAge);
        }
        if (refreshSpread.isNegative()) {
            throw new IllegalArgumentException("refreshSpread must not be negative, got " + refreshSpread);
        }
        long spreadNanos = refreshSpread.toNanos();
        this.cache = Caffeine.newBuilder()
                .ticker(clock::getAsLong)
                .refreshAfterWrite(ttl)
                .expireAfter(Expiry.writing((Q q, A answer) -> jittered(maxAge)))
                .executor(executor)
                .maximumSize(maxSize)
                .build(new CacheLoader<Q, A>() {
                    @Override
                    public A load(Q query) {
                        return search.apply(query);
                    }

                    @Override
                    public CompletableFuture<A> asyncReload(Q query, A old, Executor unused) {
                        if (spreadNanos == 0) {
                            return refresh.apply(query);
                        }
                        Executor later = CompletableFuture.delayedExecutor(
                                ThreadLocalRandom.current().nextLong(spreadNanos), TimeUnit.NANOSECONDS, executor);
                        return CompletableFuture.supplyAsync(() -> query, later).thenCompose(refresh);
                    }
                });
    }

    A get(Q query) {
        return cache.get(query);
    }

    private static Duration jittered(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
    }
}
