package dev.marquee.retrieval.source;

import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.retrieval.config.RetrievalProperties;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The version of the searchable item vectors ({@link RedisKeys#CATALOG_VERSION}) that every ANN search now sees: read
 * from Redis every {@code catalog-version-poll}, and counted only once it has been seen for
 * {@code catalog-visibility-lag}, the longest a write takes to become visible to a search of bounded consistency.
 * {@link #UNKNOWN} meanwhile, and while Redis cannot be read: then nothing is taken to be unchanged.
 */
@Component
public class CatalogVersion implements LongSupplier {
    public static final long UNKNOWN = -1;

    /** A version and when it was first seen (clock nanoseconds). */
    private record Seen(long version, long since) {
    }

    private final LongSupplier read;
    private final long lagNanos;
    private final LongSupplier clock;
    private volatile Seen seen = new Seen(UNKNOWN, 0);
    /** Polls Redis; null when the caller polls (tests). */
    private final ScheduledExecutorService poller;

    @Autowired
    CatalogVersion(FeatureStore store, RetrievalProperties props) {
        this(store::catalogVersion, props.catalogVisibilityLag(), System::nanoTime,
                Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "catalog-version");
                    t.setDaemon(true);
                    return t;
                }));
        poller.scheduleWithFixedDelay(this::poll, 0, props.catalogVersionPoll().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Polled by the caller ({@link #poll()}): for tests. */
    CatalogVersion(LongSupplier read, Duration lag, LongSupplier clock) {
        this(read, lag, clock, null);
    }

    private CatalogVersion(LongSupplier read, Duration lag, LongSupplier clock, ScheduledExecutorService poller) {
        this.read = read;
        this.lagNanos = lag.toNanos();
        this.clock = clock;
        this.poller = poller;
    }

    @PreDestroy
    void shutdown() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    /** Reads the version once. */
    void poll() {
        long v;
        try {
            v = read.getAsLong();
        } catch (RuntimeException e) {
            v = UNKNOWN;
        }
        if (v != seen.version()) {
            seen = new Seen(v, clock.getAsLong());
        }
    }

    /** The version every search now sees, or {@link #UNKNOWN}. */
    @Override
    public long getAsLong() {
        Seen s = seen;
        return s.version() != UNKNOWN && clock.getAsLong() - s.since() >= lagNanos ? s.version() : UNKNOWN;
    }
}
