package dev.marquee.embedding.catalog;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.embedding.milvus.ItemCollection;
import dev.marquee.embedding.milvus.ItemIndex;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Re-embeds the whole catalog into a new collection in the background, with progress in the log and the
 * {@code marquee.embedding.reindex.done} gauge, then swaps the alias. The served collection answers throughout.
 */
@Component
public class Reindexer {
    private static final Logger log = LoggerFactory.getLogger(Reindexer.class);
    private static final int BATCH = 64;
    private final ItemIndex index;
    private final CatalogEmbedder embedder;
    private final Supplier<Collection<CatalogItem>> catalog;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "reindex");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<Status> status = new AtomicReference<>(Status.idle());

    /**
     * @param state idle, running, done or failed
     */
    public record Status(String state, String collection, long done, long total, Instant startedAt,
                         Instant finishedAt, double itemsPerSecond, String error) {
        static Status idle() {
            return new Status("idle", null, 0, 0, null, null, 0, null);
        }
    }

    @Autowired
    Reindexer(ItemIndex index, CatalogEmbedder embedder, CatalogSnapshot snapshot, MeterRegistry meters) {
        this(index, embedder, snapshot::read, meters);
    }

    public Reindexer(ItemIndex index, CatalogEmbedder embedder, Supplier<Collection<CatalogItem>> catalog,
                     MeterRegistry meters) {
        this.index = index;
        this.embedder = embedder;
        this.catalog = catalog;
        Gauge.builder("marquee.embedding.reindex.done", done, AtomicLong::get).register(meters);
    }

    public Status status() {
        return status.get();
    }

    /** Starts a re-embedding unless one is running; returns its status. */
    public synchronized Status start() {
        if ("running".equals(status.get().state())) {
            return status.get();
        }
        ItemCollection target = index.beginNext();
        Status running = new Status("running", target.name(), 0, 0, Instant.now(), null, 0, null);
        status.set(running);
        executor.submit(() -> run(target, running.startedAt()));
        return running;
    }

    private void run(ItemCollection target, Instant started) {
        try {
            List<CatalogItem> items = new ArrayList<>(catalog.get());
            done.set(0);
            long t0 = System.nanoTime();
            long lastLog = t0;
            for (int from = 0; from < items.size(); from += BATCH) {
                List<CatalogItem> batch = items.subList(from, Math.min(items.size(), from + BATCH));
                embedder.embedInto(target, batch);
                long n = done.addAndGet(batch.size());
                double rate = n / Math.max((System.nanoTime() - t0) / 1e9, 1e-9);
                status.set(new Status("running", target.name(), n, items.size(), started, null, rate, null));
                if (System.nanoTime() - lastLog > 5_000_000_000L || n == items.size()) {
                    log.info("re-embedded {}/{} items into {} ({} items/s)", n, items.size(), target.name(),
                            String.format("%.0f", rate));
                    lastLog = System.nanoTime();
                }
            }
            target.awaitVisible(items.size(), java.time.Duration.ofSeconds(120));
            index.commitNext();
            embedder.catalogChanged();
            double rate = items.size() / Math.max((System.nanoTime() - t0) / 1e9, 1e-9);
            status.set(new Status("done", target.name(), items.size(), items.size(), started, Instant.now(), rate,
                    null));
        } catch (RuntimeException e) {
            log.error("re-embedding into {} failed, the served collection is unchanged", target.name(), e);
            index.abortNext();
            Status s = status.get();
            status.set(new Status("failed", target.name(), s.done(), s.total(), started, Instant.now(),
                    s.itemsPerSecond(), e.toString()));
        }
    }
}
