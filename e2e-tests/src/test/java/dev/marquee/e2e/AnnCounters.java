package dev.marquee.e2e;

import dev.marquee.common.Metrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where the ANN candidates of the stack's requests came from, and what Milvus was asked, as counters read before and
 * after a measured pass: the ANN source's answers by origin ({@link Metrics#ANN_ANSWERS}) and the lists computed off
 * the request path ({@link Metrics#ANN_LISTS}), summed over the gateway (in-process serving) and the retrieval
 * service; Milvus' own count of searches and query vectors ({@code MILVUS_METRICS_URL} in {@code urls.env}).
 */
final class AnnCounters {
    private static final List<String> SERVICES = List.of("gateway", "retrieval");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Stack stack;

    /** One reading. */
    record Reading(double precomputed, double cached, double searched, double lists, double milvusSearches,
                   double milvusVectors) {
        /** What happened between {@code before} and this reading, per request. */
        String since(Reading before, int requests) {
            double answers = precomputed - before.precomputed + cached - before.cached + searched - before.searched;
            return String.format(Locale.ROOT, "    ann answers: precomputed %.0f, cached %.0f, searched on the request "
                            + "path %.0f (%.1f %% of requests); lists computed off the path %.0f; Milvus searches per "
                            + "request %.3f, query vectors per request %.3f (%d requests, %.0f ANN answers)",
                    precomputed - before.precomputed, cached - before.cached, searched - before.searched,
                    onPathPercent(before, requests), lists - before.lists,
                    (milvusSearches - before.milvusSearches) / requests,
                    (milvusVectors - before.milvusVectors) / requests, requests, answers);
        }

        /** Requests whose ANN search ran on the request path, in % of {@code requests}. */
        double onPathPercent(Reading before, int requests) {
            return 100.0 * (searched - before.searched) / requests;
        }
    }

    AnnCounters(Stack stack) {
        this.stack = stack;
    }

    Reading read() {
        return new Reading(sum(Metrics.ANN_ANSWERS, "from:precomputed"), sum(Metrics.ANN_ANSWERS, "from:cached"),
                sum(Metrics.ANN_ANSWERS, "from:searched"), sum(Metrics.ANN_LISTS, null),
                milvus("milvus_proxy_req_count{function_name=\"Search\"", "status=\"total\""),
                milvus("milvus_proxy_search_vectors_count", ""));
    }

    /** The lists computed so far. */
    double lists() {
        return sum(Metrics.ANN_LISTS, null);
    }

    /**
     * Waits until the count of lists computed has not moved for {@code still} (what was due is computed) and returns
     * it; throws past {@code atMost}.
     */
    double awaitListsSettled(Duration still, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        double last = lists();
        long stillSince = System.nanoTime();
        while (System.nanoTime() - stillSince < still.toNanos()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("ANN lists still being computed after " + atMost + " (" + last + ")");
            }
            Thread.sleep(100);
            double now = lists();
            if (now != last) {
                last = now;
                stillSince = System.nanoTime();
            }
        }
        return last;
    }

    /** Waits until at least {@code atLeast} lists were computed (in all) and returns the count; throws past 60 s. */
    double awaitLists(double atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double now;
        while ((now = lists()) < atLeast) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("ANN lists computed: " + now + ", waited for " + atLeast);
            }
            Thread.sleep(100);
        }
        return now;
    }

    /** The metric (with the tag {@code name:value}, or none) summed over the services; 0 where it is not yet. */
    double sum(String metric, String tag) {
        double total = 0;
        for (String service : SERVICES) {
            Stack.Response r = stack.get(service, "/actuator/metrics/" + metric + (tag == null ? "" : "?tag=" + tag));
            if (r.status() == 200) {
                total += r.json().path("measurements").path(0).path("value").asDouble();
            }
        }
        return total;
    }

    /** The sum of Milvus' sample lines that start with {@code prefix} and contain {@code also}; NaN when unknown. */
    private double milvus(String prefix, String also) {
        String url = stack.value("MILVUS_METRICS_URL");
        if (url == null) {
            return Double.NaN;
        }
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double total = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(prefix) && line.contains(also)) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return total;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }
}
