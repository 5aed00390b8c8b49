package dev.marquee.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Each service's footprint at one moment, for the soak: the heap live after its last collection (actuator's
 * {@code jvm.gc.live.data.size}; the heap in use where the collector does not publish it), its live threads
 * ({@code jvm.threads.live}) and its resident memory ({@code VmRSS} of the process the launcher's pid file names).
 */
record Footprints(Map<String, double[]> byService) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String[] SERVICES = {"gateway", "ingest", "embedding", "retrieval", "ranking"};

    static Footprints of(Stack stack) {
        Path run = Path.of(System.getenv().getOrDefault("MARQUEE_URLS", "../.marquee/urls.env")).toAbsolutePath()
                .getParent().resolve("run");
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String service : SERVICES) {
            String base;
            try {
                base = stack.url(service);
            } catch (IllegalStateException e) {
                continue; // not part of this stack
            }
            double heap = metric(base, "jvm.gc.live.data.size", "");
            if (heap <= 0) {
                heap = metric(base, "jvm.memory.used", "?tag=area:heap");
            }
            out.put(service, new double[] {heap / 1e6, metric(base, "jvm.threads.live", ""), rssMb(run, service)});
        }
        return new Footprints(out);
    }

    /** {@code gateway heap_mb=… threads=… rss_mb=…} per service. */
    String line() {
        return byService.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s heap_mb=%.0f threads=%.0f "
                + "rss_mb=%.0f", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
                .collect(Collectors.joining(" | "));
    }

    /** The largest growth from {@code first} to this of one measure (0 heap, 1 threads, 2 RSS) over the services. */
    double maxGrowth(Footprints first, int measure) {
        double max = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, double[]> e : byService.entrySet()) {
            double[] before = first.byService.get(e.getKey());
            if (before != null) {
                max = Math.max(max, e.getValue()[measure] - before[measure]);
            }
        }
        return max == Double.NEGATIVE_INFINITY ? 0 : max;
    }

    private static double metric(String base, String name, String query) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/metrics/" + name
                    + query)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return -1;
            }
            JsonNode m = Stack.JSON.readTree(r.body()).path("measurements");
            return m.isEmpty() ? -1 : m.get(0).path("value").asDouble(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static double rssMb(Path run, String service) {
        try {
            long pid = Long.parseLong(Files.readString(run.resolve(service + ".pid")).trim());
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not running here, or no such process
        }
        return -1;
    }
}
