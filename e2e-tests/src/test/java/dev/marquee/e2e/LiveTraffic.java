package dev.marquee.e2e;

import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.ClickModel;
import dev.marquee.simulator.world.World;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * The benchmark's live traffic: who asks (a population of users, a few asked often and most rarely: rank r of a
 * random order is asked with weight {@code 1 / r^zipf}), and the events that flow between their asks, through ingest
 * at a steady rate: the clicks of the users on the lists they were shown (a position-based click model on the
 * world's affinities), topped up with organic views and clicks of users drawn the same way. Sends only to the stack
 * under test (127.0.0.1); the pump stops with {@link #close}.
 */
final class LiveTraffic implements AutoCloseable {
    /** Examination 1/(1+position), a click on an examined item with probability 0.05 + 0.45 x affinity. */
    private static final ClickModel CLICKS = new ClickModel(1.0, 0.05, 0.5, 0.1, 0, 0, 0);
    private static final int PUMP_PERIOD_MILLIS = 100;
    private final Stack stack;
    private final World world;
    private final List<World.User> population;
    private final Set<String> loaded;
    /** Cumulative ask weights of the population in a random order (user index by rank). */
    private final double[] cumulative;
    private final int[] userOfRank;
    private final SplittableRandom asks;
    private final ConcurrentLinkedQueue<InteractionEvent> clicks = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong postFailures = new AtomicLong();
    private final int eventsPerSecond;
    private volatile boolean running;
    private Thread pump;

    LiveTraffic(Stack stack, World world, List<World.User> population, Set<String> loaded, double zipf,
                int eventsPerSecond, long seed) {
        this.stack = stack;
        this.world = world;
        this.population = population;
        this.loaded = loaded;
        this.eventsPerSecond = eventsPerSecond;
        this.asks = new SplittableRandom(seed);
        int n = population.size();
        this.userOfRank = new int[n];
        for (int i = 0; i < n; i++) {
            userOfRank[i] = i;
        }
        SplittableRandom shuffle = new SplittableRandom(seed + 1);
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = userOfRank[i];
            userOfRank[i] = userOfRank[j];
            userOfRank[j] = t;
        }
        this.cumulative = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += 1 / Math.pow(r + 1, zipf);
            cumulative[r] = sum;
        }
    }

    /** The next user to ask (not thread-safe: the load generator's scheduling thread draws them). */
    World.User nextAsker() {
        return population.get(userOfRank[rankOf(asks.nextDouble())]);
    }

    private int rankOf(double u) {
        double target = u * cumulative[cumulative.length - 1];
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** How many distinct users a run of {@code asks} draws, and the share of asks that went to the top 1 %. */
    String shape(int asksCount) {
        SplittableRandom r = new SplittableRandom(7);
        Set<Integer> distinct = new HashSet<>();
        int top = Math.max(1, cumulative.length / 100);
        int toTop = 0;
        for (int i = 0; i < asksCount; i++) {
            int rank = rankOf(r.nextDouble());
            distinct.add(rank);
            if (rank < top) {
                toTop++;
            }
        }
        return String.format(Locale.ROOT, "%d asks reach %d distinct users of %d; %.0f %% go to the top 1 %%",
                asksCount, distinct.size(), cumulative.length, 100.0 * toTop / asksCount);
    }

    /** The user saw this answer: their clicks on it join the event stream (called on the senders' threads). */
    void shown(World.User user, JsonNode answer) {
        JsonNode items = answer.path("items");
        ThreadLocalRandom rng = ThreadLocalRandom.current();
        for (int p = 0; p < items.size(); p++) {
            if (rng.nextDouble() >= CLICKS.examination(p)) {
                continue;
            }
            String item = items.get(p).path("itemId").asString();
            double perceived = world.affinity(user, item) + CLICKS.noise() * rng.nextGaussian();
            if (rng.nextDouble() < CLICKS.clickProbability(perceived)) {
                clicks.add(event(user.userId(), item, EventType.CLICK));
            }
        }
    }

    private InteractionEvent event(String userId, String itemId, EventType type) {
        return new InteractionEvent("b-live-" + sequence.incrementAndGet(), userId, itemId, type, Instant.now());
    }

    /** Starts posting events: every 100 ms a tenth of the rate, the queued clicks first. */
    void start() {
        running = true;
        pump = new Thread(this::pumpLoop, "bench-events");
        pump.setDaemon(true);
        pump.start();
    }

    private void pumpLoop() {
        SplittableRandom organic = new SplittableRandom(11);
        int perTick = Math.max(1, eventsPerSecond * PUMP_PERIOD_MILLIS / 1000);
        long next = System.nanoTime();
        while (running) {
            List<InteractionEvent> batch = new ArrayList<>(perTick);
            InteractionEvent e;
            while (batch.size() < perTick && (e = clicks.poll()) != null) {
                batch.add(e);
            }
            while (batch.size() < perTick) {
                World.User user = population.get(userOfRank[rankOf(organic.nextDouble())]);
                String item = world.organicItem(user, organic).itemId();
                if (loaded.contains(item)) {
                    batch.add(event(user.userId(), item, organic.nextDouble() < 0.7 ? EventType.VIEW
                            : EventType.CLICK));
                }
            }
            try {
                if (stack.post("ingest", "/events/batch", Map.of("events", batch)).status() == 202) {
                    posted.addAndGet(batch.size());
                } else {
                    postFailures.incrementAndGet();
                }
            } catch (RuntimeException ex) {
                postFailures.incrementAndGet();
            }
            next += PUMP_PERIOD_MILLIS * 1_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                } catch (InterruptedException ex) {
                    return;
                }
            }
        }
    }

    /** Events ingest accepted so far. */
    long posted() {
        return posted.get();
    }

    /** Batches ingest refused or that failed to reach it. */
    long postFailures() {
        return postFailures.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (pump != null) {
            pump.join(5000);
        }
    }
}
