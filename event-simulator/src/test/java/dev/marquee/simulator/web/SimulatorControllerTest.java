package dev.marquee.simulator.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The whole simulator app (no auto-start) driven over HTTP, its gateway and ingest a tiny server on 127.0.0.1. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.simulator.auto-start=false", "marquee.simulator.users=10", "marquee.simulator.items-per-topic=5"})
class SimulatorControllerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger RECOMMENDS = new AtomicInteger();
    private static final AtomicInteger EVENT_BATCHES = new AtomicInteger();
    private static final HttpServer PLATFORM = platform();

    @Autowired
    Environment env;

    private final HttpClient http = HttpClient.newHttpClient();

    private static HttpServer platform() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/recommend", e -> {
                int n = RECOMMENDS.getAndIncrement();
                respond(e, 200, "{\"requestId\":\"r-" + n + "\",\"items\":[{\"position\":0,\"itemId\":\"item-kitchen-0\"},"
                        + "{\"position\":1,\"itemId\":\"item-gaming-0\"}],\"degraded\":false}");
            });
            server.createContext("/events/batch", e -> {
                e.getRequestBody().readAllBytes();
                EVENT_BATCHES.incrementAndGet();
                respond(e, 202, "{}");
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange e, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().add("Content-Type", "application/json");
        e.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(bytes);
        }
    }

    @DynamicPropertySource
    static void urls(DynamicPropertyRegistry registry) {
        String url = "http://127.0.0.1:" + PLATFORM.getAddress().getPort();
        registry.add("marquee.simulator.gateway-url", () -> url);
        registry.add("marquee.simulator.ingest-url", () -> url);
    }

    @AfterAll
    static void stop() {
        PLATFORM.stop(0);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base() + "/simulator/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private String base() {
        return "http://127.0.0.1:" + env.getProperty("local.server.port");
    }

    @Test
    void closedLoopRunsToItsBudgetAndReportsCtrWhileASecondRunIsRefused() throws Exception {
        HttpResponse<String> started = post("/simulator/closed-loop", "{\"requests\":30,\"rate\":60}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(post("/simulator/backfill", "").statusCode()).isEqualTo(409);

        Instant deadline = Instant.now().plusSeconds(20);
        JsonNode status = status();
        while (!status.get("phase").asString().equals("done")) {
            assertThat(Instant.now()).as(status.toString()).isBefore(deadline);
            Thread.sleep(50);
            status = status();
        }
        assertThat(status.get("mode").asString()).isEqualTo("closed_loop");
        assertThat(status.get("requests").asLong()).isEqualTo(30);
        assertThat(status.get("shown").asLong()).isEqualTo(60);
        assertThat(status.get("randomCtr").asDouble()).isPositive();
        assertThat(RECOMMENDS.get()).isEqualTo(30);
    }

    @Test
    void invalidOverridesGetAProblemNamingTheField() throws Exception {
        HttpResponse<String> r = post("/simulator/live", "{\"rate\":-1}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("errors").get(0).get("field").asString()).isEqualTo("rate");
        assertThat(post("/simulator/closed-loop", "{\"duration\":\"PT48H\"}").statusCode()).isEqualTo(400);
    }
}
