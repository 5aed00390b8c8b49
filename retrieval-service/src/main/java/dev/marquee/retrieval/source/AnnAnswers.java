package dev.marquee.retrieval.source;

import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
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
 * @param <Q> a query, compared by value
 * @param <A> its answer
 */
final class AnnAnswers<Q, A> {
    private final LoadingCache<Q, A> cache;

    /**
     * @param executor runs the cache's own upkeep
     * @param clock   the time the ages are measured on, in nanoseconds
     * @param search  a query's answer, on the caller's thread
     * @param refresh a query's new answer in the background; failing, it leaves the old one in place
     */
    AnnAnswers(Duration ttl, Duration maxAge, long maxSize, Executor executor, LongSupplier clock,
               Function<Q, A> search, Function<Q, CompletableFuture<A>> refresh) {
        if (ttl.isZero() || ttl.isNegative() || maxAge.compareTo(ttl) < 0) {
            throw new IllegalArgumentException("need 0 < ttl <= maxAge, got ttl " + ttl + ", maxAge " + maxAge);
        }
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
                        return refresh.apply(query);
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
