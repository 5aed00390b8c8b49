package dev.marquee.simulator.run;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.marquee.common.event.InteractionEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP server on 127.0.0.1 with a /recommend-shaped gateway endpoint (the lists come from a function of user
 * and k), ingest-shaped /events/batch and /items/batch that record what they are sent (and /users/{id}/features that
 * counts a user's events), embedding-shaped /status and
 * /items/{id} that report those items as embedded, and a ranking-shaped /models/train. For unit tests of the
 * simulator's client and runner.
 */
final class FakeMarquee implements AutoCloseable {
    /** What /recommend answered: the request id and the items in order. */
    record Served(String userId, String requestId, List<String> itemIds) {
    }

    static {
        // answer without Nagle's delay, as real servers do (else each POST waits ~40 ms for a delayed ACK)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpServer server;
    private final BiFunction<String, Integer, List<String>> lists;
    private final AtomicInteger requestIds = new AtomicInteger();
    final List<Served> served = new CopyOnWriteArrayList<>();
    final List<InteractionEvent> events = new CopyOnWriteArrayList<>();
    final Set<String> items = ConcurrentHashMap.newKeySet();
    final AtomicInteger trainings = new AtomicInteger();
    volatile int recommendStatus = 200;

    FakeMarquee(BiFunction<String, Integer, List<String>> lists) throws IOException {
        this.lists = lists;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/recommend", this::recommend);
        server.createContext("/events/batch", this::events);
        server.createContext("/items/batch", this::items);
        server.createContext("/items/", this::item);
        server.createContext("/users/", this::userFeatures);
        server.createContext("/status", e -> respond(e, 200, "{\"items\":" + items.size() + "}"));
        server.createContext("/models/train", e -> respond(e, 200,
                "{\"version\":\"v" + trainings.incrementAndGet() + "\"}"));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    MarqueeClient client() {
        return new MarqueeClient(url(), url(), url(), url(), "");
    }

    private void recommend(HttpExchange exchange) throws IOException {
        if (recommendStatus != 200) {
            respond(exchange, recommendStatus, "{\"title\":\"down\"}");
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String userId = query.get("userId");
        int k = Integer.parseInt(query.get("k"));
        List<String> ids = lists.apply(userId, k);
        String requestId = "req-" + requestIds.getAndIncrement();
        served.add(new Served(userId, requestId, ids));
        List<Map<String, Object>> items = new ArrayList<>();
        for (int p = 0; p < ids.size(); p++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("position", p);
            item.put("itemId", ids.get(p));
            item.put("score", 1.0 / (p + 1));
            item.put("source", "Fake");
            item.put("title", "t");
            item.put("category", "c");
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("requestId", requestId);
        body.put("userId", userId);
        body.put("items", items);
        body.put("modelVersion", null);
        body.put("degraded", false);
        body.put("degradedReasons", List.of());
        body.put("candidatePool", ids.size());
        body.put("stageMillis", Map.of("total", 1.0));
        respond(exchange, 200, JSON.writeValueAsString(body));
    }

    private void events(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        for (JsonNode e : body.get("events")) {
            events.add(JSON.treeToValue(e, InteractionEvent.class));
        }
        respond(exchange, 202, "{\"accepted\":" + body.get("events").size() + "}");
    }

    private void items(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        body.get("items").forEach(i -> items.add(i.get("itemId").asString()));
        respond(exchange, 202, "{}");
    }

    /** Ingest-shaped {@code /users/{id}/features}: the user's event count is what this server was sent of theirs. */
    private void userFeatures(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String id = path.substring("/users/".length(), path.length() - "/features".length());
        long count = events.stream().filter(e -> e.userId().equals(id)).count();
        respond(exchange, 200, "{\"userId\":\"" + id + "\",\"eventCount\":" + count + "}");
    }

    /** Embedding-shaped: 200 for an item it was sent, else 404. */
    private void item(HttpExchange exchange) throws IOException {
        String id = exchange.getRequestURI().getPath().substring("/items/".length());
        respond(exchange, items.contains(id) ? 200 : 404, "{}");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
