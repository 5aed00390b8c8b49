package dev.marquee.simulator.run;

import dev.marquee.common.access.AccessProperties;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.SimulatorProperties;
import dev.marquee.simulator.world.Behaviour;
import dev.marquee.simulator.world.ClickModel;
import dev.marquee.simulator.world.SessionModel;
import dev.marquee.simulator.world.World;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Runs the world through the platform's public APIs, one run at a time on its own thread: the auto-start flow
 * (catalog, wait for embeddings, backfill, a first model, then the live stream or the closed loop) and the modes the
 * REST endpoints trigger. Run n gets the behaviour stream named by its mode's letter and n, so the same seed and the
 * same sequence of runs give the same events and ids.
 */
@Component
public class SimulatorRunner implements ApplicationRunner, DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(SimulatorRunner.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;
    private final SimulatorProperties props;
    private final World world;
    private final ClickModel clicks;
    private final SessionModel sessions;
    private final MarqueeClient client;
    private final MeterRegistry meters;
    private final Clock clock;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "simulator");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<String> phase = new AtomicReference<>("idle");
    private final AtomicReference<Progress> progress = new AtomicReference<>();
    private final AtomicReference<ClosedLoop.Outcome> lastClosedLoop = new AtomicReference<>();
    private final AtomicLong eventsSent = new AtomicLong();
    private Future<?> current;
    private volatile boolean stopRequested;
    /** The thread running the current task, while it runs. */
    private volatile Thread worker;
    /** True from a run's submission until its task has really ended (a cancelled Future is "done" before that). */
    private final AtomicBoolean busy = new AtomicBoolean();
    private int runs;

    @Autowired
    SimulatorRunner(SimulatorProperties props, AccessProperties access, MeterRegistry meters) {
        this(props, meters, Clock.systemUTC(), access.clientKey());
    }

    /** @param apiKey the key its requests carry ({@code marquee.access.client-key}), or blank for none */
    SimulatorRunner(SimulatorProperties props, MeterRegistry meters, Clock clock, String apiKey) {
        this.props = props;
        this.meters = meters;
        this.clock = clock;
        this.world = new World(props.seed(), props.itemsPerTopic(), props.users(), props.idPrefix());
        this.clicks = props.clicks().toModel();
        this.sessions = props.sessions().toModel();
        this.client = new MarqueeClient(props.ingestUrl(), props.embeddingUrl(), props.rankingUrl(), props.gatewayUrl(),
                apiKey);
    }

    /**
     * @param phase        what the simulator is doing (idle, catalog, backfill, live, closed_loop, done, stopped,
     *                     failed: ...)
     * @param eventsSent   events sent since startup, all runs
     * @param mode         the mode of the current (or last) run
     * @param modeEvents   events that run sent
     * @param requests     closed loop: /recommend calls made (failed ones included)
     * @param shown        closed loop: items shown to simulated users
     * @param clicks       closed loop: clicks on them
     * @param ctr          closed loop: clicks / shown
     * @param randomCtr    closed loop, when finished: the CTR the click model expects of random lists
     */
    public record Status(String phase, int items, int users, long eventsSent, String mode, long modeEvents,
                         long requests, long shown, long clicks, double ctr, Double randomCtr) {
    }

    public Status status() {
        Progress p = progress.get();
        ClosedLoop.Outcome outcome = lastClosedLoop.get();
        return new Status(phase.get(), world.catalog().size(), world.users().size(), eventsSent.get(),
                p == null ? null : p.mode(), p == null ? 0 : p.events(),
                p == null ? 0 : p.requests(), p == null ? 0 : p.shown(), p == null ? 0 : p.clicks(),
                p == null ? 0 : p.ctr(), outcome == null ? null : outcome.randomCtr());
    }

    public World world() {
        return world;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (props.autoStart()) {
            submit("starting", this::autoStart);
        }
    }

    /** Sends the catalog to ingest. */
    public Status startCatalog() {
        return submit("catalog", () -> sendCatalog());
    }

    public Status startBackfill(Backfill.Settings settings) {
        return submit(Backfill.MODE, () -> backfill(settings));
    }

    public Status startLive(LiveStream.Settings settings) {
        return submit(LiveStream.MODE, () -> live(settings));
    }

    public Status startClosedLoop(ClosedLoop.Settings settings) {
        return submit(ClosedLoop.MODE, () -> closedLoop(settings));
    }

    /** Interrupts the current run, if any. */
    public synchronized Status stop() {
        if (busy.get() && current != null) {
            // not Future.cancel: a task cancelled before it started would never run its finally (busy stays set)
            stopRequested = true;
            Thread running = worker;
            if (running != null) {
                running.interrupt();
            }
            phase.set("stopped");
            log.info("stopped on request");
        }
        return status();
    }

    public Backfill.Settings backfillDefaults() {
        SimulatorProperties.Backfill b = props.backfill();
        return new Backfill.Settings(b.perUser(), b.window(), b.listSize(), b.relevance(), b.impressions());
    }

    public LiveStream.Settings liveDefaults() {
        SimulatorProperties.Live l = props.live();
        return new LiveStream.Settings(l.rate(), l.duration(), l.listSize(), l.relevance(), l.impressions());
    }

    public ClosedLoop.Settings closedLoopDefaults() {
        SimulatorProperties.ClosedLoop c = props.closedLoop();
        return new ClosedLoop.Settings(c.k(), c.rate(), c.requests(), c.duration());
    }

    @Override
    public void destroy() {
        executor.shutdownNow();
    }

    private interface Task {
        void run() throws InterruptedException;
    }

    private synchronized Status submit(String firstPhase, Task task) {
        if (!busy.compareAndSet(false, true)) {
            throw new SimulatorBusyException(phase.get());
        }
        phase.set(firstPhase);
        stopRequested = false;
        current = executor.submit(() -> {
            worker = Thread.currentThread();
            try {
                Thread.interrupted(); // a stop aimed at an earlier run must not hit this one
                if (stopRequested) { // stopped before it started
                    throw new InterruptedException();
                }
                task.run();
                phase.set("done");
            } catch (InterruptedException e) {
                phase.set("stopped");
            } catch (RuntimeException e) {
                if (stopRequested) { // the interrupt hit a call in flight
                    phase.set("stopped");
                } else {
                    log.error("simulation stopped", e);
                    phase.set("failed: " + e.getMessage());
                }
            } finally {
                worker = null;
                busy.set(false);
            }
        });
        return status();
    }

    private void autoStart() throws InterruptedException {
        List<CatalogItem> catalog = world.catalog();
        phase.set("catalog");
        retrying("sending the catalog", () -> client.sendItems(catalog));
        log.info("sent {} catalog items", catalog.size());
        phase.set("waiting-for-embeddings");
        waitForEmbeddings(catalog);
        // `./marquee up` keeps its data: a world whose history is already there is not given a second one
        String firstUser = world.users().get(0).userId();
        long known = client.eventCount(firstUser);
        if (known >= props.backfill().perUser()) {
            log.info("backfill skipped: the feature store already holds {} events of {} (kept data)", known, firstUser);
        } else {
            backfill(backfillDefaults());
        }
        phase.set("training");
        log.info("first model: {}", client.train());
        if (props.autoStream() == SimulatorProperties.AutoStream.CLOSED_LOOP) {
            closedLoop(closedLoopDefaults());
        } else {
            live(liveDefaults());
        }
    }

    private void sendCatalog() {
        List<CatalogItem> catalog = world.catalog();
        client.sendItems(catalog);
        log.info("sent {} catalog items", catalog.size());
    }

    private void backfill(Backfill.Settings settings) throws InterruptedException {
        phase.set(Backfill.MODE);
        Progress p = begin(Backfill.MODE);
        List<InteractionEvent> events = Backfill.generate(behaviour('b'), settings, clock.instant());
        log.info("backfill: {} events for {} users over {}", events.size(), world.users().size(), settings.window());
        int chunk = 5000;
        for (int from = 0; from < events.size(); from += chunk) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            List<InteractionEvent> part = events.subList(from, Math.min(events.size(), from + chunk));
            client.sendEvents(part);
            p.sent(part);
            p.maybeLog("");
        }
        p.log("backfill done");
    }

    private void live(LiveStream.Settings settings) throws InterruptedException {
        phase.set(LiveStream.MODE);
        LiveStream.run(behaviour('l'), settings, client, clock, begin(LiveStream.MODE));
    }

    private void closedLoop(ClosedLoop.Settings settings) throws InterruptedException {
        phase.set(ClosedLoop.MODE);
        lastClosedLoop.set(null);
        lastClosedLoop.set(ClosedLoop.run(behaviour('c'), settings, client, clock, begin(ClosedLoop.MODE)));
    }

    private synchronized Behaviour behaviour(char mode) {
        return new Behaviour(world, clicks, sessions, props.seed(), mode + Integer.toString(++runs));
    }

    private Progress begin(String mode) {
        Progress p = new Progress(mode, meters, LOG_EVERY_NANOS, eventsSent);
        progress.set(p);
        return p;
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
}
