package dev.marquee.simulator.run;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.SimulatorProperties;
import dev.marquee.simulator.world.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Runs the world through the platform's public API: catalog, wait for embeddings, backfilled history, a first model,
 * then a live stream at a fixed rate that stops by itself after {@code liveDuration}.
 */
@Component
public class SimulatorRunner implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(SimulatorRunner.class);
    private final SimulatorProperties props;
    private final World world;
    private final MarqueeClient client;
    private final AtomicReference<String> phase = new AtomicReference<>("idle");
    private final AtomicLong eventsSent = new AtomicLong();

    SimulatorRunner(SimulatorProperties props) {
        this.props = props;
        this.world = new World(props.seed(), props.itemsPerTopic(), props.users());
        this.client = new MarqueeClient(props.ingestUrl(), props.embeddingUrl(), props.rankingUrl());
    }

    public record Status(String phase, int items, int users, long eventsSent) {
    }

    public Status status() {
        return new Status(phase.get(), world.catalog().size(), world.users().size(), eventsSent.get());
    }

    @Override
    public void run(ApplicationArguments args) {
        if (props.autoStart()) {
            Thread thread = new Thread(this::runAll, "simulator");
            thread.setDaemon(true);
            thread.start();
        }
    }

    void runAll() {
        try {
            List<CatalogItem> catalog = world.catalog();
            phase.set("catalog");
            retrying("sending the catalog", () -> client.sendItems(catalog));
            log.info("sent {} catalog items", catalog.size());
            phase.set("waiting-for-embeddings");
            waitForEmbeddings(catalog);
            phase.set("backfill");
            backfill();
            phase.set("training");
            log.info("first model: {}", client.train());
            phase.set("live");
            live();
            phase.set("done");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            phase.set("stopped");
        } catch (RuntimeException e) {
            log.error("simulation stopped", e);
            phase.set("failed: " + e.getMessage());
        }
    }

    /** Retries a call while the services it needs are still starting (bounded by {@code embeddingWait}). */
    private void retrying(String what, Runnable call) throws InterruptedException {
        Instant deadline = Instant.now().plus(props.embeddingWait());
        while (true) {
            try {
                call.run();
                return;
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                log.info("{}: {} - retrying", what, e.getMessage());
                Thread.sleep(2000);
            }
        }
    }

    private void waitForEmbeddings(List<CatalogItem> catalog) throws InterruptedException {
        Instant deadline = Instant.now().plus(props.embeddingWait());
        String last = catalog.get(catalog.size() - 1).itemId();
        while (!isEmbedded(last) || client.embeddedItems() < catalog.size()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("catalog not embedded after " + props.embeddingWait());
            }
            Thread.sleep(500);
        }
        log.info("catalog embedded ({} items)", client.embeddedItems());
    }

    private boolean isEmbedded(String itemId) {
        try {
            return client.isEmbedded(itemId);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void backfill() {
        int total = props.backfillPerUser() * props.users();
        Instant start = Instant.now().minus(Duration.ofHours(24));
        List<InteractionEvent> events = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            events.add(world.nextEvent(start.plusMillis(i * (86_400_000L / Math.max(1, total)))));
        }
        long t0 = System.nanoTime();
        client.sendEvents(events);
        eventsSent.addAndGet(events.size());
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.info("backfill: {} events in {} s ({} events/s)", events.size(), String.format("%.1f", seconds),
                String.format("%.0f", events.size() / Math.max(seconds, 1e-9)));
    }

    private void live() throws InterruptedException {
        if (props.liveRate() <= 0) {
            return;
        }
        long periodNanos = (long) (1e9 / props.liveRate());
        Instant end = Instant.now().plus(props.liveDuration());
        long next = System.nanoTime();
        while (Instant.now().isBefore(end)) {
            client.sendEvents(List.of(world.nextEvent(Instant.now())));
            long sent = eventsSent.incrementAndGet();
            if (sent % 1000 == 0) {
                log.info("live: {} events sent", sent);
            }
            next += periodNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
    }
}
