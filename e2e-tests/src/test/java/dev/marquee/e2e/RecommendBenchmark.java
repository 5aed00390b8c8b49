package dev.marquee.e2e;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.simulator.world.World;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import tools.jackson.databind.JsonNode;

/**
 * {@code ./marquee bench recommend}: /recommend latency on the running stack at 10k and 100k items, after a warm-up,
 * open loop at each of a list of fixed rates (latency counted from each request's scheduled send time), per stage (as
 * the gateway reports it) and end to end, with the floor of a no-op endpoint on the same gateway in the same run and
 * the CPU each process of the stack used per request. Two regimes ({@code MARQUEE_BENCH_PROFILE}): {@code cached}, the
 * history's 1,000 users asked in a cycle with no events, and {@code live} (the headline), users of a 100,000 population
 * drawn with Zipf-like weights while their events flow through ingest ({@link LiveTraffic}). Sends only to 127.0.0.1.
 */
@EnabledIfEnvironmentVariable(named = "MARQUEE_BENCH", matches = "recommend")
class RecommendBenchmark {
    private static final int TOPICS = 8;
    private final Stack stack = Stack.fromEnvironment();
    /**
     * The load generator's connections and threads: requests are sent by {@code SENDERS} threads over as many pooled
     * keep-alive connections, a request waiting for a free sender counting that wait in its latency (open loop). Until
     * 2026-12-06 the JDK's asynchronous client sent them, at ~1 ms of the shared two cores per request.
     */
    private static final int SENDERS = 64;
    private final CloseableHttpClient http = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(SENDERS).setMaxConnPerRoute(SENDERS)
                    .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(2))
                            .setSocketTimeout(Timeout.ofSeconds(5)).build())
                    .build())
            .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofSeconds(5)).build())
            .disableAutomaticRetries().disableCookieManagement().disableRedirectHandling().build();
    private final ExecutorService senders = Executors.newFixedThreadPool(SENDERS, r -> {
        Thread t = new Thread(r, "bench-sender");
        t.setDaemon(true);
        return t;
    });

    /** The measured rates, in order; the last one is the headline (the goal's 200 requests/s). */
    private final List<Integer> rates = ints(System.getenv().getOrDefault("MARQUEE_BENCH_RPS", "50,100,200"));
    private final int seconds = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_SECONDS", "20"));
    /** Each measured pass follows as many seconds at its rate, reported apart (0: none). */
    private final int leadInSeconds = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_LEAD_IN_SECONDS",
            "10"));
    /** The warm-up's first rate, and how much it rises each window up to the headline rate. */
    private final int warmUpRps = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_WARMUP_RPS", "40"));
    private final int warmUpSeconds = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_WARMUP_SECONDS",
            "180"));
    private final int warmUpMaxSeconds = Integer.parseInt(System.getenv().getOrDefault(
            "MARQUEE_BENCH_WARMUP_MAX_SECONDS", "300"));
    private static final int WARM_UP_WINDOW_SECONDS = 30;
    /** A measured run also counts its requests slower than this (the goal's p99) per window of this many seconds. */
    private static final int SLOW_MILLIS = 10;
    private static final int WINDOW_SECONDS = 5;
    private static final int LATE_SEND_MILLIS = 5;
    /** The cached regime's users, asked in a cycle: each every 5 s at 200/s, all after the warm-up from memory. */
    private final int users = 1000;
    /** The regimes measured, in order: {@code live} (the headline) and {@code cached}. */
    private final List<String> profiles = List.of(System.getenv().getOrDefault("MARQUEE_BENCH_PROFILE",
            "cached,live").split(","));
    /** The live regime's population: users asked with Zipf-like weights, most of them rarely. */
    private final int population = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_USERS", "100000"));
    private final double zipf = Double.parseDouble(System.getenv().getOrDefault("MARQUEE_BENCH_ZIPF", "1.0"));
    /** Events per second through ingest during the live regime's passes (their clicks, topped up with organic ones). */
    private final int eventRate = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_EVENTS_PER_S", "500"));
    /** Events of each population user (beyond the cached regime's) before the live regime. */
    private static final int POPULATION_HISTORY = 3;
    private AnnCounters ann;
    private LiveTraffic live;

    /**
     * @param slowByWindow requests over {@link #SLOW_MILLIS} per {@link #WINDOW_SECONDS} of due times, in order
     * @param lateSends    requests this generator itself sent over {@link #LATE_SEND_MILLIS} after their due time
     * @param maxLateMillis the most a request was sent after its due time: a stall of the whole box (the generator
     *                     is a process of its own) shows here, and is in the latencies of the requests it delayed
     */
    record Result(double p50, double p95, double p99, int errors, int degraded, Map<String, double[]> stages,
                  int[] slowByWindow, int lateSends, double maxLateMillis, Map<String, Integer> degradedReasons) {
        /** {@link #slowByWindow}, space-separated. */
        String slowWindows() {
            return Arrays.stream(slowByWindow).mapToObj(String::valueOf).collect(Collectors.joining(" "));
        }

    }

    /** Status and body of one answer. */
    private record Answer(int status, byte[] body) {
    }

    @Test
    void benchmark() throws Exception {
        try (RedisCommandStats redisCommands = RedisCommandStats.of(stack); http) {
            measure(redisCommands);
        } finally {
            senders.shutdownNow();
        }
    }

    private void measure(RedisCommandStats redisCommands) throws Exception {
        List<Integer> sizes = ints(System.getenv().getOrDefault("MARQUEE_BENCH_ITEMS", "10000,100000"));
        int loaded = 0;
        List<String> lines = new ArrayList<>();
        List<String> lasts = new ArrayList<>();
        ann = new AnnCounters(stack);
        boolean withLive = profiles.stream().anyMatch(RecommendBenchmark::eventsFlow);
        // the first `users` users are the cached regime's (the same preferences whatever the population)
        World world = new World(3, sizes.get(sizes.size() - 1) / TOPICS, withLive ? Math.max(users, population)
                : users, "b-");
        List<CatalogItem> catalog = hitsFirst(world);
        for (int size : sizes) {
            load(catalog.subList(loaded, size), size, world, loaded == 0 ? catalog.subList(0, size) : null);
            loaded = size;
            Set<String> loadedIds = catalog.subList(0, size).stream().map(CatalogItem::itemId)
                    .collect(Collectors.toSet());
            live = withLive ? new LiveTraffic(stack, world, world.users(), loadedIds, zipf, eventRate, 5) : null;
            if (live != null) {
                System.out.println("live traffic: " + population + " users, zipf " + zipf + ": "
                        + live.shape(rates.get(rates.size() - 1) * seconds));
            }
            int headline = rates.get(rates.size() - 1);
            warmUp(headline);
            Result floor = run("/bench/noop", false, headline, seconds, null);
            for (String profile : profiles) {
                LiveTraffic traffic = eventsFlow(profile) ? live : null;
                String last = null;
                if (traffic != null) {
                    traffic.start();
                }
                try {
                    if (profile.equals("soak")) {
                        last = soak(size, headline, traffic);
                    } else {
                        for (int rps : rates) {
                            last = measurePass(profile, size, rps, floor, traffic, redisCommands, lines);
                        }
                    }
                } finally {
                    if (traffic != null) {
                        traffic.close();
                    }
                }
                if (traffic != null && !profile.equals("soak")) {
                    last += " " + recall(catalog.subList(0, size), world.users(), lines);
                }
                if (size == sizes.get(sizes.size() - 1)) {
                    lasts.add(last);
                }
            }
        }
        lines.forEach(System.out::println);
        // the live regime's line last: it is the headline
        lasts.stream().filter(l -> !l.startsWith("profile=live")).forEach(System.out::println);
        lasts.stream().filter(l -> l.startsWith("profile=live")).forEach(System.out::println);
    }

    /** Whether the profile's users are the live population, their events flowing while they are asked. */
    private static boolean eventsFlow(String profile) {
        return profile.equals("live") || profile.equals("soak");
    }

    /**
     * The soak ({@code MARQUEE_BENCH_PROFILE=soak}, {@code ./marquee soak}): {@code MARQUEE_BENCH_SOAK_MINUTES} (10)
     * one-minute passes of the live regime at {@code rps}, events flowing throughout; after each, a line with its
     * latencies, errors and every service's footprint ({@link Footprints}). The key=value line: totals, the worst
     * minute's p99, and the largest growth over the services from the first minute to the last (heap live after a
     * collection, threads, resident memory): flat is the goal.
     */
    private String soak(int size, int rps, LiveTraffic traffic) throws Exception {
        int minutes = Integer.parseInt(System.getenv().getOrDefault("MARQUEE_BENCH_SOAK_MINUTES", "10"));
        Footprints first = null;
        Footprints now = null;
        long requests = 0;
        int errors = 0;
        int degraded = 0;
        double worstP99 = 0;
        long postFailuresBefore = traffic.postFailures();
        long postedBefore = traffic.posted();
        for (int minute = 1; minute <= minutes; minute++) {
            Result r = run(null, true, rps, 60, traffic);
            now = Footprints.of(stack);
            first = first == null ? now : first;
            requests += rps * 60L;
            errors += r.errors();
            degraded += r.degraded();
            worstP99 = Math.max(worstP99, r.p99());
            String reasons = r.degradedReasons().entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(3)
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            System.out.printf(Locale.ROOT, "soak minute=%d p50_ms=%.2f p99_ms=%.1f errors=%d degraded=%d (%s) "
                            + "events_posted=%d event_failures=%d | %s%n", minute, r.p50(), r.p99(), r.errors(),
                    r.degraded(), reasons, traffic.posted() - postedBefore,
                    traffic.postFailures() - postFailuresBefore, now.line());
        }
        long eventFailures = traffic.postFailures() - postFailuresBefore;
        return String.format(Locale.ROOT, "profile=soak items=%d rps=%d minutes=%d events_posted=%d requests=%d "
                        + "errors=%d degraded_pct=%.2f worst_minute_p99_ms=%.1f heap_growth_mb=%.1f "
                        + "threads_growth=%.0f rss_growth_mb=%.1f", size, rps, minutes,
                traffic.posted() - postedBefore, requests, errors + eventFailures, 100.0 * degraded / requests,
                worstP99, now.maxGrowth(first, 0), now.maxGrowth(first, 1), now.maxGrowth(first, 2));
    }

    /**
     * Recall@100 of the users' ANN lists against exact search (a sample of 300 users across the population, once the
     * lists have caught up with the live pass's events): a line for {@code lines}, and its key=value.
     */
    private String recall(List<CatalogItem> items, List<World.User> population, List<String> lines)
            throws Exception {
        try {
            ann.awaitListsSettled(Duration.ofSeconds(3), Duration.ofMinutes(3));
        } catch (IllegalStateException e) { // measured all the same, on the users whose list is current
            lines.add("    ann lists: " + e.getMessage());
        }
        int step = Math.max(1, population.size() / 300);
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < population.size(); i += step) {
            sample.add(population.get(i).userId());
        }
        var result = AnnRecall.measure(stack, items.stream().map(CatalogItem::itemId).toList(), sample, 100);
        lines.add(result.map(r -> String.format(Locale.ROOT, "    ann recall@100 vs exact search: %.3f (%d users "
                + "with a current list, %d items)", r.recall(), r.users(), items.size()))
                .orElse("    ann recall@100: no user with a current list"));
        return String.format(Locale.ROOT, "ann_recall100=%.3f", result.map(AnnRecall.Result::recall)
                .orElse(Double.NaN));
    }

    /**
     * One measured pass of {@code profile} at {@code rps} (after its lead-in): its lines appended to {@code lines};
     * returns its key=value summary.
     */
    private String measurePass(String profile, int size, int rps, Result floor, LiveTraffic traffic,
                               RedisCommandStats redisCommands, List<String> lines) throws Exception {
        Thread.sleep(1000);
        // the first seconds after a change of rate are a transition (pools, JIT profiles, the collector's
        // pacing): run them before the measured pass, and report them on their own line
        Result leadIn = leadInSeconds > 0 ? run(null, true, rps, leadInSeconds, traffic) : null;
        ProcessCpu cpu = ProcessCpu.ofStack();
        Map<String, Double> cpuBefore = cpu.millis();
        long[] machineBefore = ProcessCpu.machineTicks();
        Map<String, Long> redisBefore = redisCommands.calls();
        AnnCounters.Reading annBefore = ann.read();
        long eventsBefore = traffic == null ? 0 : traffic.posted();
        Result rec = run(null, true, rps, seconds, traffic);
        AnnCounters.Reading annAfter = ann.read();
        Map<String, Double> cpuAfter = cpu.millis();
        List<String> cpuLines = new ArrayList<>(ProcessCpu.perRequest(cpuBefore, cpuAfter, rps * seconds));
        cpuLines.add(ProcessCpu.machineLine(machineBefore, ProcessCpu.machineTicks(), cpuBefore, cpuAfter));
        cpuLines.add(RedisCommandStats.perRequest(redisBefore, redisCommands.calls(), rps * seconds));
        lines.add(String.format(Locale.ROOT, "profile=%s items=%d rps=%d requests=%d | recommend p50=%.2f "
                        + "p95=%.2f p99=%.2f ms | floor p50=%.2f p99=%.2f ms | errors=%d degraded=%d", profile,
                size, rps, rps * seconds, rec.p50, rec.p95, rec.p99, floor.p50, floor.p99, rec.errors,
                rec.degraded));
        cpuLines.add(annAfter.since(annBefore, rps * seconds));
        if (traffic != null) {
            cpuLines.add(String.format(Locale.ROOT, "    events through ingest during the pass: %d (%.0f/s), "
                            + "failed batches so far %d", traffic.posted() - eventsBefore,
                    (traffic.posted() - eventsBefore) / (double) seconds, traffic.postFailures()));
        }
        rec.stages.forEach((stage, p) -> lines.add(String.format(Locale.ROOT,
                "    stage %-9s (server-side) p50=%.2f p95=%.2f p99=%.2f ms", stage, p[0], p[1], p[2])));
        lines.add(String.format(Locale.ROOT, "    slow (>%d ms) by %d s window: %s", SLOW_MILLIS, WINDOW_SECONDS,
                rec.slowWindows()));
        if (!rec.degradedReasons().isEmpty()) {
            lines.add("    degraded reasons: " + rec.degradedReasons());
        }
        lines.add(String.format(Locale.ROOT, "    late (sent >%d ms after due by this generator): %d, at most "
                + "%.1f ms", LATE_SEND_MILLIS, rec.lateSends, rec.maxLateMillis));
        if (leadIn != null) {
            lines.add(String.format(Locale.ROOT, "    lead-in (unmeasured, the %d s at this rate before the "
                            + "measured ones) p50=%.2f p99=%.2f ms, slow (>%d ms) by %d s window: %s",
                    leadInSeconds, leadIn.p50, leadIn.p99, SLOW_MILLIS, WINDOW_SECONDS, leadIn.slowWindows()));
        }
        lines.addAll(cpuLines);
        return String.format(Locale.ROOT, "profile=%s items=%d rps=%d p50_ms=%.2f p99_ms=%.2f "
                        + "floor_p99_ms=%.2f ann_on_path_pct=%.1f errors=%d degraded_pct=%.1f", profile, size,
                rps, rec.p50, rec.p99, floor.p99, annAfter.onPathPercent(annBefore, rps * seconds),
                rec.errors, 100.0 * rec.degraded / (rps * seconds));
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /**
     * The world's items, the hits of every topic first (each topic's rank 0, then each topic's rank 1, …): the first
     * n items are the n / TOPICS biggest hits of each topic, so that the smaller catalog covers every topic as the
     * full one does (until 2026-12-03 the 10k phase was the first topic's items only).
     */
    private static List<CatalogItem> hitsFirst(World world) {
        List<CatalogItem> out = new ArrayList<>();
        int topics = world.topicList().size();
        for (int rank = 0; rank < world.itemsOf(0).size(); rank++) {
            for (int t = 0; t < topics; t++) {
                out.add(world.itemsOf(t).get(rank));
            }
        }
        return out;
    }

    /**
     * Brings the stack to {@code size} catalog items (and, when {@code history} is given, 20 events per user on
     * items of that list), then trains a model. What the stack already holds is not loaded again, so the benchmark
     * can be rerun on a running stack ({@code MARQUEE_URLS}).
     */
    private void load(List<CatalogItem> items, int size, World world, List<CatalogItem> history)
            throws InterruptedException {
        long t0 = System.nanoTime();
        if (embeddedItems() < size) {
            for (int from = 0; from < items.size(); from += 1000) {
                Stack.Response r = stack.post("ingest", "/items/batch",
                        Map.of("items", items.subList(from, Math.min(items.size(), from + 1000))));
                if (r.status() != 202) {
                    throw new IllegalStateException("ingest refused items: " + r.body());
                }
            }
            Instant deadline = Instant.now().plusSeconds(900);
            long embedded;
            while ((embedded = embeddedItems()) < size) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("only " + embedded + " of " + size + " items embedded");
                }
                Thread.sleep(500);
            }
            System.out.printf(Locale.ROOT, "loaded %d items in %.1f s%n", items.size(), (System.nanoTime() - t0) / 1e9);
        }
        // the cached regime's users: 20 events each; the rest of the live regime's population: a few each
        List<World.User> cachedUsers = world.users().subList(0, users);
        List<World.User> rest = world.users().subList(users, world.users().size());
        if (history != null) {
            Set<String> loaded = history.stream().map(CatalogItem::itemId).collect(Collectors.toSet());
            postHistory(world, cachedUsers, 20, loaded);
            postHistory(world, rest, POPULATION_HISTORY, loaded);
        }
        awaitAnnLists();
        JsonNode trained = stack.post("ranking", "/models/train", Map.of()).json();
        System.out.println("model: " + trained);
    }

    /** {@code perUser} events of each user on loaded items, unless the last user has them already (a held stack). */
    private void postHistory(World world, List<World.User> who, int perUser, Set<String> loaded)
            throws InterruptedException {
        if (who.isEmpty() || eventCount(who.get(who.size() - 1).userId()) >= perUser) {
            return;
        }
        long t0 = System.nanoTime();
        Instant t = Instant.now().minus(Duration.ofHours(2));
        List<InteractionEvent> events = new ArrayList<>(1000);
        for (World.User user : who) {
            for (int i = 0; i < perUser; i++) {
                events.add(eventOnLoadedItem(world, user, t, loaded));
            }
            if (events.size() + perUser > 1000 || user == who.get(who.size() - 1)) { // 1,000 at most per batch
                Stack.Response r = stack.post("ingest", "/events/batch", Map.of("events", events));
                if (r.status() != 202) {
                    throw new IllegalStateException("ingest refused events: " + r.body());
                }
                events.clear();
            }
        }
        Scenario.awaitEventCount(stack, who.get(who.size() - 1).userId(), perUser);
        System.out.printf(Locale.ROOT, "history: %d events of %d users in %.1f s%n", (long) perUser * who.size(),
                who.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Waits until the ANN lists of the users whose taste changed are computed, and says how many and how fast. */
    private void awaitAnnLists() throws InterruptedException {
        long t0 = System.nanoTime();
        double first = ann.lists();
        double last = ann.awaitListsSettled(Duration.ofSeconds(3), Duration.ofMinutes(15));
        double secs = (System.nanoTime() - t0) / 1e9 - 3;
        System.out.printf(Locale.ROOT, "ann lists: %.0f computed off the request path in %.1f s (%.0f/s)%n",
                last - first, secs, (last - first) / Math.max(secs, 1e-3));
    }

    /**
     * The user's next organic event among those on loaded items: a history on items the catalog lacks would make
     * candidate sources offer items that ranking cannot rank (until 2026-12-03, nine in ten of the 10k phase's).
     */
    private static InteractionEvent eventOnLoadedItem(World world, World.User user, Instant at, Set<String> loaded) {
        for (int tries = 0; tries < 1000; tries++) {
            InteractionEvent e = world.eventFor(user, at);
            if (loaded.contains(e.itemId())) {
                return e;
            }
        }
        throw new IllegalStateException("no event of " + user.userId() + " on a loaded item in 1,000 draws");
    }

    private long embeddedItems() {
        return stack.get("embedding", "/status").json().get("items").asLong();
    }

    private int eventCount(String userId) {
        return stack.get("ingest", "/users/" + userId + "/features").json().get("eventCount").asInt();
    }

    /**
     * The measured runs are of warm services: an unmeasured open loop in windows of 30 s whose rate starts at
     * {@code MARQUEE_BENCH_WARMUP_RPS} and rises by as much each window up to the headline rate (the last of
     * {@code MARQUEE_BENCH_RPS}), then on at that rate while the stack's CPU per request still falls by more than a
     * tenth from one window to the next (JIT compilers, the trainer, the consumer catching up with the load); at least
     * {@code MARQUEE_BENCH_WARMUP_SECONDS}, at most {@code MARQUEE_BENCH_WARMUP_MAX_SECONDS}. Each window's line also
     * gives the time the gateway's JIT compilers spent in it.
     *
     * <p>Why a ramp: fresh JVMs put straight at the measured 200/s starved their JIT compilers on the saturated box and
     * stayed slow for minutes (2026-11-23: p50 4,170 ms after 30 s at 200/s, 184 ms after 150 s at 40/s). But 40/s
     * alone left the 10k phase half-compiled: C2 compiles a request-path method after ~5,000 calls, and the gateway was
     * still compiling 5–10 methods a second through the measured runs (2026-12-06 (5), docs/benchmarks.md).
     */
    private void warmUp(int headline) throws Exception {
        for (int i = 0; i < 50; i++) {
            stack.get("gateway", "/bench/noop");
        }
        if (live != null) {
            live.start();
        }
        try {
            warmUpWindows(headline);
        } finally {
            if (live != null) {
                live.close();
            }
        }
    }

    private void warmUpWindows(int headline) throws Exception {
        ProcessCpu cpu = ProcessCpu.ofStack();
        int done = 0;
        int rate = Math.min(warmUpRps, headline);
        double previous = Double.NaN;
        while (true) {
            Map<String, Double> before = cpu.millis();
            double jitBefore = gatewayJitMillis();
            Result warm = run(null, true, rate, WARM_UP_WINDOW_SECONDS, live);
            double perRequest = ProcessCpu.total(before, cpu.millis()) / ((double) rate * WARM_UP_WINDOW_SECONDS);
            done += WARM_UP_WINDOW_SECONDS;
            System.out.printf(Locale.ROOT, "warm-up %d s at %d/s (%d s in all): p50=%.2f p99=%.2f ms errors=%d "
                            + "degraded=%d cpu per request %.2f ms, gateway jit %.0f ms%n", WARM_UP_WINDOW_SECONDS,
                    rate, done, warm.p50, warm.p99, warm.errors, warm.degraded, perRequest,
                    gatewayJitMillis() - jitBefore);
            boolean atHeadline = rate == headline;
            boolean settled = atHeadline && !Double.isNaN(previous) && perRequest > 0.9 * previous;
            previous = atHeadline ? perRequest : Double.NaN;
            if (done >= warmUpMaxSeconds || (done >= warmUpSeconds && settled)) {
                return;
            }
            rate = Math.min(headline, rate + warmUpRps);
        }
    }

    /** Milliseconds the gateway's JIT compilers have worked since it started (Micrometer's jvm.compilation.time). */
    private double gatewayJitMillis() {
        JsonNode m = stack.get("gateway", "/actuator/metrics/jvm.compilation.time").json();
        return m.path("measurements").path(0).path("value").asDouble(Double.NaN);
    }

    /**
     * Open loop: request i is due at start + i / rps; its latency runs from that moment to the last byte. With
     * {@code traffic}, the askers are its users and their clicks on the answers join its event stream; without, the
     * cached regime's users in a cycle.
     */
    private Result run(String fixedPath, boolean recommend, int rps, int seconds, LiveTraffic traffic)
            throws Exception {
        int total = rps * seconds;
        long periodNanos = 1_000_000_000L / rps;
        double[] latencies = new double[total];
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger degraded = new AtomicInteger();
        ConcurrentLinkedQueue<JsonNode> stageSamples = new ConcurrentLinkedQueue<>();
        Map<String, Integer> reasons = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> inFlight = new ArrayList<>(total);
        String base = stack.url("gateway");
        long start = System.nanoTime();
        int lateSends = 0;
        long maxLateNanos = 0;
        for (int i = 0; i < total; i++) {
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long late = System.nanoTime() - due;
            maxLateNanos = Math.max(maxLateNanos, late);
            if (late > TimeUnit.MILLISECONDS.toNanos(LATE_SEND_MILLIS)) {
                lateSends++;
            }
            World.User asker = recommend && traffic != null ? traffic.nextAsker() : null;
            String path = !recommend ? fixedPath : asker != null ? "/recommend?userId=" + asker.userId() + "&k=10"
                    : "/recommend?userId=b-user-" + (i % users) + "&k=10";
            int index = i;
            String uri = base + path;
            inFlight.add(CompletableFuture.supplyAsync(() -> send(uri), senders).handle((res, err) -> {
                latencies[index] = (System.nanoTime() - due) / 1e6;
                if (err != null || res.status() != 200) {
                    errors.incrementAndGet();
                } else if (recommend) {
                    JsonNode body = Stack.JSON.readTree(res.body());
                    if (body.get("degraded").asBoolean()) {
                        degraded.incrementAndGet();
                        // counted by the reason's first two words ("retrieval-source Transitions", "overloaded (16")
                        body.path("degradedReasons").forEach(r -> reasons.merge(
                                String.join(" ", Arrays.stream(r.asString().split(" ")).limit(2).toList()), 1,
                                Integer::sum));
                    }
                    stageSamples.add(body.get("stageMillis"));
                    if (asker != null) {
                        traffic.shown(asker, body);
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Map<String, double[]> stages = new LinkedHashMap<>();
        for (String stage : List.of("retrieval", "ranking", "total")) {
            double[] values = stageSamples.stream().filter(s -> s.has(stage)).mapToDouble(s -> s.get(stage).asDouble())
                    .toArray();
            if (values.length > 0) {
                stages.put(stage, new double[] {pct(values, 50), pct(values, 95), pct(values, 99)});
            }
        }
        // when the slow requests came: a steady share, or bursts (a collection, a background task of the box)
        int[] slow = new int[(seconds + WINDOW_SECONDS - 1) / WINDOW_SECONDS];
        for (int i = 0; i < total; i++) {
            if (latencies[i] > SLOW_MILLIS) {
                slow[i / rps / WINDOW_SECONDS]++;
            }
        }
        return new Result(pct(latencies, 50), pct(latencies, 95), pct(latencies, 99), errors.get(), degraded.get(),
                stages, slow, lateSends, maxLateNanos / 1e6, Map.copyOf(reasons));
    }

    private Answer send(String uri) {
        try {
            return http.execute(new HttpGet(uri), res -> new Answer(res.getCode(),
                    res.getEntity() == null ? new byte[0] : EntityUtils.toByteArray(res.getEntity())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double pct(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
