package dev.marquee.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The running system as its users see it: base URLs from {@code urls.env} (written by ./marquee), HTTP + JSON. */
final class Stack {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The urls.env entry with the key that {@code ./marquee} generated for the stack's writes. */
    static final String API_KEY = "MARQUEE_API_KEY";
    private final Map<String, String> urls;

    private Stack(Map<String, String> urls) {
        this.urls = urls;
    }

    static Stack fromEnvironment() {
        String file = System.getenv().getOrDefault("MARQUEE_URLS", "../.marquee/urls.env");
        Map<String, String> urls = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    urls.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no URLs file " + file + ": start the stack with ./marquee", e);
        }
        return new Stack(urls);
    }

    /** Any other value of {@code urls.env} (REDIS_PORT, say), or null. */
    String value(String key) {
        return urls.get(key);
    }

    String url(String service) {
        String url = urls.get(service.toUpperCase(java.util.Locale.ROOT) + "_URL");
        if (url == null) {
            throw new IllegalStateException(service + "_URL missing from urls.env");
        }
        return url;
    }

    record Response(int status, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    Response get(String service, String path) {
        return send(HttpRequest.newBuilder(URI.create(url(service) + path)).GET());
    }

    /** POSTs JSON with the stack's write key ({@code MARQUEE_API_KEY} in urls.env) when it has one. */
    Response post(String service, String path, Object body) {
        return post(service, path, body, urls.get(API_KEY));
    }

    /** POSTs JSON with the given key in {@code X-API-Key}, or none for {@code null}. */
    Response post(String service, String path, Object body, String key) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url(service) + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (key != null && !key.isEmpty()) {
            req.header("X-API-Key", key);
        }
        return send(req);
    }

    private static Response send(HttpRequest.Builder req) {
        try {
            HttpResponse<String> r = HTTP.send(req.timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
