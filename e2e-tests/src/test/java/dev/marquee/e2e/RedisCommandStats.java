package dev.marquee.e2e;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Commands the stack's Redis served, by command, from {@code INFO commandstats} (all clients: the gateway's reads and
 * the stream consumer's writes of the impressions it logs). Taken before and after a load run, the difference per
 * request is a figure this noisy box cannot blur, unlike latency and CPU. Reports nothing without
 * {@code REDIS_PORT} in {@code urls.env}.
 */
final class RedisCommandStats implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private RedisCommandStats(RedisClient client) {
        this.client = client;
        this.connection = client == null ? null : client.connect();
    }

    static RedisCommandStats of(Stack stack) {
        String port = stack.value("REDIS_PORT");
        if (port == null) {
            return new RedisCommandStats(null);
        }
        String host = stack.value("REDIS_HOST") == null ? "127.0.0.1" : stack.value("REDIS_HOST");
        return new RedisCommandStats(RedisClient.create(RedisURI.create(host, Integer.parseInt(port))));
    }

    /** Calls so far by command name. */
    Map<String, Long> calls() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (connection == null) {
            return out;
        }
        for (String line : connection.sync().info("commandstats").split("\r?\n")) {
            // cmdstat_hmget:calls=123,usec=456,usec_per_call=3.71,...
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6);
                out.put(name, Long.parseLong(calls.substring(0, calls.indexOf(','))));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (client != null) {
            connection.close();
            client.shutdown();
        }
    }

    /** One line: commands per request in all, then the most frequent ones. */
    static String perRequest(Map<String, Long> before, Map<String, Long> after, int requests) {
        if (after.isEmpty()) {
            return "    redis commands per request: not measured (no REDIS_PORT)";
        }
        List<Map.Entry<String, Double>> rows = new ArrayList<>();
        double total = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            double n = (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / (double) requests;
            if (n > 0) {
                total += n;
                rows.add(Map.entry(e.getKey(), n));
            }
        }
        rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "    redis commands per request: %.1f in all", total));
        rows.stream().limit(8).forEach(r -> line.append(String.format(Locale.ROOT, ", %s %.1f", r.getKey(),
                r.getValue())));
        return line.toString();
    }
}
