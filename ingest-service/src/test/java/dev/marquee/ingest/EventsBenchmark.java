package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ./marquee bench events}: the stream consumer (one listener thread, in this JVM) on the real Kafka and Redis.
 * <ol>
 * <li>Warm-up: {@code WARMUP_EVENTS} events (default 1M, three days old; after 300k the JIT still took 14 % of the
 * JVM's samples in the measured run, after 1M 5 %) are applied and Redis is emptied again (items
 * reloaded), so the figures below are those of a consumer whose JIT compilation is done, not of a cold JVM.</li>
 * <li>Throughput: {@code USERS x EVENTS_PER_USER} events (default 100k x 10, a mix of impressions, views, clicks,
 * carts, purchases and ratings over 10k items, half of them with session ids) are published while the consumer is
 * stopped; then it is started and timed until it has applied all of them.</li>
 * <li>Memory: Redis {@code used_memory} after minus before that run, per user, and its breakdown by structure
 * ({@code MEMORY USAGE} of every key the run created, grouped by key family).</li>
 * <li>Freshness: live events at {@code RATE}/s (default 5,000) for {@code SECONDS} (default 15), each stamped when
 * sent; the consumer's freshness timer (event time to Redis transaction done, percentiles over the last 20-30 s) gives
 * p50/p99. Twice: right after the run above, while the label flusher drains the impressions it left due (the jump of
 * event time from the history to now makes all of them due at once), and again once none is due (steady state, the
 * headline figure), with the 100 ms windows whose events waited longest and Redis' slow log.</li>
 * </ol>
 * Last line: {@code events_per_s=… freshness_p50_ms=… freshness_p99_ms=… bytes_per_user=… freshness_catchup_p99_ms=…}.
 */
@SpringBootTest
@EnabledIfEnvironmentVariable(named = "MARQUEE_BENCH", matches = "events")
class EventsBenchmark {
    private static final int USERS = intEnv("MARQUEE_BENCH_USERS", 100_000);
    private static final int EVENTS_PER_USER = intEnv("MARQUEE_BENCH_EVENTS_PER_USER", 10);
    private static final int ITEMS = intEnv("MARQUEE_BENCH_ITEMS", 10_000);
    private static final int RATE = intEnv("MARQUEE_BENCH_RATE", 5_000);
    private static final int SECONDS = intEnv("MARQUEE_BENCH_SECONDS", 15);
    private static final int WARMUP_EVENTS = intEnv("MARQUEE_BENCH_WARMUP_EVENTS", 1_000_000);
    private static final int DIMENSION = 128;
    private static final int CATEGORIES = 16;

    @Autowired
    KafkaListenerEndpointRegistry listeners;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JsonMapper json;
    @Autowired
    Environment env;

    private final SplittableRandom random = new SplittableRandom(11);
    /** MEMORY USAGE of each key (0 for a key gone meanwhile), one script call per chunk of keys. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final RedisScript<List<Long>> MEMORY_USAGE = (RedisScript) RedisScript.of(
            "local r = {} for i, k in ipairs(KEYS) do r[i] = redis.call('MEMORY', 'USAGE', k) or 0 end return r",
            List.class);

    @Test
    void consumerThroughputFreshnessAndMemoryPerUser() throws Exception {
        MessageListenerContainer consumer = listeners.getListenerContainer("features");
        consumer.stop();
        loadItems();
        warmUp(consumer);
        Map<String, long[]> structuresBefore = structures();
        long memoryBefore = usedMemory();
        Instant historyStart = Instant.now().minus(Duration.ofDays(2));
        long total = (long) USERS * EVENTS_PER_USER;
        try (KafkaProducer<String, String> producer = producer()) {
            long t0 = System.nanoTime();
            for (long n = 0; n < total; n++) {
                // round-robin over users, one event per user every 10 minutes: each user's history is one visit of
                // about 100 minutes, longer than the label window, so early impressions resolve as it is replayed
                InteractionEvent e = event("h", (int) (n % USERS),
                        historyStart.plusMillis((n / USERS) * 600_000 + n % USERS));
                producer.send(new ProducerRecord<>(Topics.EVENTS, e.userId(), json.writeValueAsString(e)));
            }
            producer.flush();
            System.out.printf(Locale.ROOT, "published %,d events for %,d users in %.1f s%n", total, USERS,
                    (System.nanoTime() - t0) / 1e9);
        }

        double before = consumed();
        redis.execute((RedisCallback<Object>) c -> {
            c.serverCommands().resetConfigStats();
            return null;
        });
        Map<String, double[]> stagesBefore = stages(); // the warm-up's batches are not counted
        long cpuBefore = jvmCpuNanos();
        double redisCpuBefore = redisCpuSeconds();
        double kafkaCpuBefore = kafkaCpuSeconds();
        long start = System.nanoTime();
        consumeUntil(consumer, before + total);
        double seconds = (System.nanoTime() - start) / 1e9;
        double jvmCpu = (jvmCpuNanos() - cpuBefore) / 1e9;
        double redisCpu = redisCpuSeconds() - redisCpuBefore;
        double kafkaCpu = kafkaCpuSeconds() - kafkaCpuBefore;
        double applied = consumed() - before;
        assertThat(applied).as("events consumed within 10 min").isGreaterThanOrEqualTo(total);
        double eventsPerSecond = applied / seconds;
        System.out.printf(Locale.ROOT, "throughput: %,.0f events in %.1f s = %,.0f events/s (one consumer thread)%n",
                applied, seconds, eventsPerSecond);

        // CPU used while consuming: less sensitive than wall time to what else runs on the machine
        System.out.printf(Locale.ROOT, "  cpu consumer JVM %.1f s, redis %.1f s: %.1f + %.1f µs per event"
                + " (kafka broker %s)%n", jvmCpu, redisCpu, jvmCpu * 1e6 / applied, redisCpu * 1e6 / applied,
                Double.isNaN(kafkaCpu) ? "not measured" : String.format(Locale.ROOT, "%.1f s, %.1f µs per event",
                        kafkaCpu, kafkaCpu * 1e6 / applied));
        printCommandStats(applied);
        printStages(stagesBefore);
        long memoryAfter = usedMemory();
        double bytesPerUser = (double) (memoryAfter - memoryBefore) / USERS;
        System.out.printf(Locale.ROOT, "redis used_memory: %,d -> %,d bytes: %.0f bytes per user%n", memoryBefore,
                memoryAfter, bytesPerUser);
        Map<String, long[]> structuresAfter = structures();
        structuresAfter.forEach((name, f) -> {
            long[] b = structuresBefore.getOrDefault(name, new long[2]);
            System.out.printf(Locale.ROOT, "  structure %-48s keys %,9d  bytes %,13d  per user %7.1f%n", name,
                    f[0] - b[0], f[1] - b[1], (double) (f[1] - b[1]) / USERS);
        });

        Timer freshness = meters.find(Metrics.FEATURE_FRESHNESS).timer();
        // right after the catch-up every pending impression of the run above is due: the label flusher drains them
        double[] catchUp = live("just after the catch-up (the label flusher draining ~100k users' due impressions)",
                freshness);
        long drainStart = System.nanoTime();
        long due = waitForDueLabels(Duration.ofMinutes(3));
        System.out.printf(Locale.ROOT, "label backlog: %,d users still due after %.1f s%n", due,
                (System.nanoTime() - drainStart) / 1e9);
        // the freshness percentiles cover the last 20-30 s: let the first run's events leave them
        Thread.sleep(Math.max(0, 31_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart)));
        double[] steady = live("steady (no label backlog)", freshness);
        System.out.printf(Locale.ROOT, "events_per_s=%.0f freshness_p50_ms=%.1f freshness_p99_ms=%.1f "
                + "bytes_per_user=%.0f freshness_catchup_p99_ms=%.1f%n", eventsPerSecond, steady[0], steady[1],
                bytesPerUser, catchUp[1]);
    }

    /** Live events at RATE/s for SECONDS, with what the consumer did meanwhile; returns freshness {p50, p99}. */
    private double[] live(String label, Timer freshness) throws InterruptedException {
        Map<String, double[]> before = stages();
        redis.execute((RedisCallback<Object>) c -> c.execute("SLOWLOG", "RESET".getBytes()));
        System.out.println("freshness run " + label + ":");
        long sent = live(freshness);
        printSlowCommands();
        printStages(before);
        ValueAtPercentile[] p = freshness.takeSnapshot().percentileValues();
        double p50 = percentile(p, 0.5);
        double p99 = percentile(p, 0.99);
        System.out.printf(Locale.ROOT, "freshness at %,d events/s for %d s (%,d events): p50 %.1f ms, p95 %.1f ms, "
                + "p99 %.1f ms%n", RATE, SECONDS, sent, p50, percentile(p, 0.95), p99);
        return new double[] {p50, p99};
    }

    /** Waits (at most {@code limit}) until no user has impressions due by now; returns how many still have. */
    private long waitForDueLabels(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            long due = 0;
            for (int partition = 0; partition < 64; partition++) {
                Long n = redis.opsForZSet().count(RedisKeys.labelsDue(partition), Double.NEGATIVE_INFINITY,
                        System.currentTimeMillis());
                due += n == null ? 0 : n;
            }
            if (due == 0 || System.nanoTime() > deadline) {
                return due;
            }
            Thread.sleep(500);
        }
    }

    /**
     * Runs the consumer over {@code WARMUP_EVENTS} events three days old (before the measured history: the label
     * clock only moves forward), then stops it and empties Redis: the measured runs start from the same store as
     * without a warm-up, on a JVM that has compiled the consumer's code.
     */
    private void warmUp(MessageListenerContainer consumer) throws InterruptedException {
        if (WARMUP_EVENTS == 0) {
            return;
        }
        Instant start = Instant.now().minus(Duration.ofDays(3));
        try (KafkaProducer<String, String> producer = producer()) {
            for (long n = 0; n < WARMUP_EVENTS; n++) {
                InteractionEvent e = event("w", (int) (n % USERS), start.plusMillis((n / USERS) * 600_000 + n % USERS));
                producer.send(new ProducerRecord<>(Topics.EVENTS, e.userId(), json.writeValueAsString(e)));
            }
            producer.flush();
        }
        double before = consumed();
        long t0 = System.nanoTime();
        consumeUntil(consumer, before + WARMUP_EVENTS);
        consumer.stop();
        System.out.printf(Locale.ROOT, "warm-up: %,.0f events in %.1f s, then Redis emptied%n", consumed() - before,
                (System.nanoTime() - t0) / 1e9);
        redis.execute((RedisCallback<Object>) c -> {
            c.serverCommands().flushDb();
            return null;
        });
        loadItems();
    }

    /** Starts the consumer and waits until it has taken {@code count} events in all (10 minutes at most). */
    private void consumeUntil(MessageListenerContainer consumer, double count) throws InterruptedException {
        consumer.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (consumed() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Redis commands that took 10 ms or more during the live run (Redis' slow log), longest first. */
    private void printSlowCommands() {
        var factory = (org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory)
                redis.getConnectionFactory();
        List<Object> entries;
        try (var c = ((io.lettuce.core.RedisClient) factory.getRequiredNativeClient()).connect()) {
            entries = c.sync().slowlogGet(128);
        }
        record Slow(long micros, String command) {
        }
        List<String> lines = entries.stream().map(e -> {
            List<?> entry = (List<?>) e; // id, time, microseconds, arguments, ...
            List<?> args = (List<?>) entry.get(3);
            return new Slow(((Number) entry.get(2)).longValue(),
                    args.get(0) + (args.size() > 1 ? " " + args.get(1) : ""));
        }).sorted(java.util.Comparator.comparingLong(Slow::micros).reversed()).limit(10)
                .map(x -> String.format(Locale.ROOT, "%.1f ms %s", x.micros() / 1e3, x.command())).toList();
        System.out.printf(Locale.ROOT, "  live redis commands of 10 ms or more: %d%s%n", entries.size(),
                lines.isEmpty() ? "" : ": " + String.join(", ", lines));
    }

    /** Redis commands run while consuming (scripts' calls included), per event, with their own time per call. */
    private void printCommandStats(double events) {
        Properties stats = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("commandstats"));
        Map<Double, String> lines = new TreeMap<>(java.util.Comparator.reverseOrder());
        stats.forEach((k, v) -> {
            Map<String, String> f = new TreeMap<>();
            for (String kv : v.toString().split(",")) {
                String[] p = kv.split("=", 2);
                f.put(p[0], p[1]);
            }
            double calls = Double.parseDouble(f.get("calls"));
            double usec = Double.parseDouble(f.get("usec"));
            lines.put(usec + lines.size() * 1e-9, String.format(Locale.ROOT,
                    "  redis %-18s %5.2f calls per event  %5.2f µs per call  %5.2f µs per event",
                    k.toString().replace("cmdstat_", ""), calls / events, usec / calls, usec / events));
        });
        lines.values().stream().limit(12).forEach(System.out::println);
    }

    /** Sends live events at RATE/s for SECONDS (open loop, paced by schedule), then waits for them to be applied. */
    private long live(Timer freshness) throws InterruptedException {
        long before = freshness.count();
        long total = (long) RATE * SECONDS;
        // every 100 ms: events applied and their summed lag, to show when the slow ones were applied
        List<Sample> windows = java.util.Collections.synchronizedList(new ArrayList<>());
        long sampleStart = System.nanoTime();
        var sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> windows.add(new Sample((System.nanoTime() - sampleStart) / 1e9,
                freshness.count(), freshness.totalTime(TimeUnit.MILLISECONDS), stages())), 0, 100,
                TimeUnit.MILLISECONDS);
        try (KafkaProducer<String, String> producer = producer()) {
            long start = System.nanoTime();
            for (long n = 0; n < total; n++) {
                long due = start + n * 1_000_000_000L / RATE;
                long wait = due - System.nanoTime();
                if (wait > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                InteractionEvent e = event("l", random.nextInt(USERS), Instant.now());
                producer.send(new ProducerRecord<>(Topics.EVENTS, e.userId(), json.writeValueAsString(e)));
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (freshness.count() - before < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        sampler.shutdownNow();
        System.out.printf(Locale.ROOT, "  live run from %s (UTC)%n", java.time.LocalTime.ofInstant(
                Instant.now().minusNanos(System.nanoTime() - sampleStart), java.time.ZoneOffset.UTC));
        printSlowWindows(windows);
        return freshness.count() - before;
    }

    /** Freshness timer and consumer stages at one moment of a live run ({@link #stages()}: count, seconds). */
    private record Sample(double at, double events, double lagMillis, Map<String, double[]> stages) {
    }

    /**
     * The 100 ms windows in which the events applied waited 50 ms or more on average, with the batches of the window
     * and the time the consumer's stages took in it (ms; a stage's time counts when a batch's writes complete).
     */
    private static void printSlowWindows(List<Sample> windows) {
        List<String> slow = new ArrayList<>();
        synchronized (windows) {
            for (int i = 1; i < windows.size(); i++) {
                Sample a = windows.get(i - 1);
                Sample b = windows.get(i);
                double n = b.events() - a.events();
                double lag = n == 0 ? 0 : (b.lagMillis() - a.lagMillis()) / n;
                if (lag >= 50) {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "+%.1fs %.0f ms (%.0f events,"
                            + " %.0f batches:", b.at(), lag, n, b.stages().get("read")[0] - a.stages().get("read")[0]));
                    b.stages().forEach((stage, now) -> line.append(String.format(Locale.ROOT, " %s %.0f", stage,
                            (now[1] - a.stages().get(stage)[1]) * 1e3)));
                    slow.add(line.append(')').toString());
                }
            }
            System.out.printf(Locale.ROOT, "  live windows of 100 ms with a mean freshness >= 50 ms: %d of %d%s%n",
                    slow.size(), windows.size() - 1, slow.isEmpty() ? "" : "\n    " + String.join("\n    ", slow));
        }
    }

    /** A user's next event: mostly views and clicks on items of the user's two favourite categories. */
    private InteractionEvent event(String phase, int user, Instant at) {
        String userId = "bu" + user;
        int category = random.nextDouble() < 0.8 ? (user % CATEGORIES + random.nextInt(2)) % CATEGORIES
                : random.nextInt(CATEGORIES);
        int rank = (int) Math.floor(ITEMS / CATEGORIES * Math.pow(random.nextDouble(), 2));
        String itemId = "bi" + (category + CATEGORIES * rank);
        double r = random.nextDouble();
        EventType type = r < 0.30 ? EventType.IMPRESSION : r < 0.70 ? EventType.VIEW : r < 0.90 ? EventType.CLICK
                : r < 0.95 ? EventType.ADD_TO_CART : r < 0.98 ? EventType.PURCHASE : EventType.RATING;
        EventContext context = type == EventType.IMPRESSION
                ? EventContext.impression("r" + user + "-" + at.toEpochMilli() / 60_000, random.nextInt(10), "a")
                : null;
        String session = random.nextBoolean() ? "s" + user + "-" + at.toEpochMilli() / 1_800_000 : null;
        Double value = type == EventType.RATING ? 0.5 * (1 + random.nextInt(10)) : null;
        return new InteractionEvent(phase + "-" + user + "-" + random.nextLong(), userId, itemId, type, at, session,
                context, value);
    }

    /** Items as the embedding service leaves them: title, category, price and a unit vector. */
    private void loadItems() {
        for (int from = 0; from < ITEMS; from += 1000) {
            int start = from;
            redis.executePipelined((RedisCallback<Object>) c -> {
                for (int i = start; i < Math.min(ITEMS, start + 1000); i++) {
                    float[] v = new float[DIMENSION];
                    for (int d = 0; d < DIMENSION; d++) {
                        v[d] = (float) random.nextGaussian();
                    }
                    byte[] key = FeatureStore.bytes(RedisKeys.item("bi" + i));
                    c.hashCommands().hMSet(key, Map.of(
                            FeatureStore.bytes(RedisKeys.ITEM_TITLE), FeatureStore.bytes("item " + i),
                            FeatureStore.bytes(RedisKeys.ITEM_CATEGORY), FeatureStore.bytes("cat" + i % CATEGORIES),
                            FeatureStore.bytes(RedisKeys.ITEM_PRICE), FeatureStore.bytes("9.99"),
                            FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(Vectors.normalized(v))));
                }
                return null;
            });
        }
    }

    /** Keys and bytes by key family, from MEMORY USAGE of every key. */
    private Map<String, long[]> structures() {
        Map<String, long[]> families = new TreeMap<>();
        List<String> batch = new ArrayList<>();
        try (Cursor<String> keys = redis.scan(ScanOptions.scanOptions().count(5000).build())) {
            while (keys.hasNext()) {
                batch.add(keys.next());
                if (batch.size() == 5000 || !keys.hasNext()) {
                    List<String> chunk = List.copyOf(batch);
                    batch.clear();
                    List<Long> sizes = redis.execute(MEMORY_USAGE, chunk);
                    for (int i = 0; i < chunk.size(); i++) {
                        long[] f = families.computeIfAbsent(family(chunk.get(i)), x -> new long[2]);
                        f[0]++;
                        f[1] += sizes.get(i);
                    }
                }
            }
        }
        return families;
    }

    private static String family(String key) {
        if (key.startsWith(RedisKeys.USER_PREFIX)) {
            return "user state incl. pending impressions (us:<user>)";
        }
        if (key.startsWith("lbl:due:")) {
            return "users with impressions due (lbl:due:<p>)";
        }
        if (key.startsWith("seen:")) {
            return "seen event ids (seen:<g>:<s>)";
        }
        if (key.startsWith("cv:")) {
            return "co-visitation (cv:<item>)";
        }
        if (key.startsWith("i:")) {
            return "item hashes (i:<item>)";
        }
        if (key.equals(RedisKeys.ITEM_IMPRESSIONS) || key.equals(RedisKeys.ITEM_CLICKS)) {
            return "CTR counters (items:imp, items:clk)";
        }
        if (key.startsWith("pop") || key.startsWith("trend")) {
            return "popular + trending sets";
        }
        return "other";
    }

    /** The consumer's stage timers now: stage -> {count, total seconds}. */
    private Map<String, double[]> stages() {
        Map<String, double[]> out = new java.util.LinkedHashMap<>();
        for (String stage : List.of("read", "held", "compute", "wait", "write", "flush")) {
            out.put(stage, stage(stage));
        }
        return out;
    }

    /** What each stage took since {@code before}. */
    private void printStages(Map<String, double[]> before) {
        before.forEach((stage, was) -> {
            double[] now = stage(stage);
            double n = now[0] - was[0];
            double spent = now[1] - was[1];
            Timer t = meters.find(Metrics.FEATURE_BATCH).tag(Metrics.TAG_STAGE, stage).timer();
            System.out.printf(Locale.ROOT, "  batch stage %-8s %,6.0f times    total %6.1f s  mean %7.2f ms"
                    + "  max %7.1f ms%n", stage, n, spent, n == 0 ? 0 : spent * 1e3 / n,
                    t == null ? 0 : t.max(TimeUnit.MILLISECONDS));
        });
    }

    /** A consumer stage's timer: {count, total seconds}. */
    private double[] stage(String stage) {
        Timer t = meters.find(Metrics.FEATURE_BATCH).tag(Metrics.TAG_STAGE, stage).timer();
        return t == null ? new double[2] : new double[] {t.count(), t.totalTime(TimeUnit.SECONDS)};
    }

    private double consumed() {
        double n = 0;
        for (String outcome : List.of("applied", "duplicate")) {
            var c = meters.find(Metrics.FEATURE_EVENTS).tag(Metrics.TAG_OUTCOME, outcome).counter();
            n += c == null ? 0 : c.count();
        }
        return n;
    }

    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private double redisCpuSeconds() {
        Properties info = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("cpu"));
        return Double.parseDouble(info.getProperty("used_cpu_user")) + Double.parseDouble(info.getProperty("used_cpu_sys"));
    }

    /**
     * CPU time of the Kafka broker the stack script started (its pid file under {@code MARQUEE_STATE_DIR}), from
     * /proc; NaN where that is not available.
     */
    private static double kafkaCpuSeconds() {
        try {
            String dir = System.getenv("MARQUEE_STATE_DIR");
            String pid = java.nio.file.Files.readString(java.nio.file.Path.of(dir, "run", "kafka.pid")).trim();
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid, "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime + stime, clock ticks of 1/100 s
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private long usedMemory() {
        Properties info = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("memory"));
        return Long.parseLong(info.getProperty("used_memory"));
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, env.getProperty("spring.kafka.bootstrap-servers"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static double percentile(ValueAtPercentile[] values, double p) {
        for (ValueAtPercentile v : values) {
            if (Math.abs(v.percentile() - p) < 1e-9) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        throw new IllegalStateException("freshness timer has no p" + p + "; configured: " + values.length);
    }

    private static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v);
    }
}
