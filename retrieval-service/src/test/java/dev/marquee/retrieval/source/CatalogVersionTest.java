package dev.marquee.retrieval.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a version of the item vectors counts as the one every search sees. */
class CatalogVersionTest {
    private static final Duration LAG = Duration.ofSeconds(10);
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final AtomicLong stored = new AtomicLong(3);
    private final AtomicBoolean redisDown = new AtomicBoolean();
    private final CatalogVersion version = new CatalogVersion(() -> {
        if (redisDown.get()) {
            throw new IllegalStateException("Redis unavailable");
        }
        return stored.get();
    }, LAG, nanos::get);

    @Test
    void aVersionCountsOnlyOnceItHasBeenSeenForTheVisibilityLag() {
        version.poll();
        assertThat(version.getAsLong()).isEqualTo(CatalogVersion.UNKNOWN);
        nanos.addAndGet(LAG.toNanos());
        version.poll(); // the same version again: still seen since the first poll
        assertThat(version.getAsLong()).isEqualTo(3);

        stored.set(4);
        version.poll();
        assertThat(version.getAsLong()).isEqualTo(CatalogVersion.UNKNOWN);
        nanos.addAndGet(LAG.toNanos() - 1);
        assertThat(version.getAsLong()).isEqualTo(CatalogVersion.UNKNOWN);
        nanos.addAndGet(1);
        assertThat(version.getAsLong()).isEqualTo(4);
    }

    @Test
    void anUnreadableVersionIsUnknownAndARereadOneWaitsForTheLagAgain() {
        version.poll();
        nanos.addAndGet(LAG.toNanos());
        redisDown.set(true);
        version.poll();
        assertThat(version.getAsLong()).isEqualTo(CatalogVersion.UNKNOWN);

        redisDown.set(false);
        version.poll();
        assertThat(version.getAsLong()).as("writes may have happened while it was unread")
                .isEqualTo(CatalogVersion.UNKNOWN);
        nanos.addAndGet(LAG.toNanos());
        assertThat(version.getAsLong()).isEqualTo(3);
    }

    @Test
    void beforeTheFirstReadTheVersionIsUnknown() {
        assertThat(version.getAsLong()).isEqualTo(CatalogVersion.UNKNOWN);
    }
}
