package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * API keys and per-caller rate limits on a real ingest service (real Kafka and Redis): writes need a write key, reads
 * a read or write key once read keys are set, health is open; refusals are RFC 7807 problems naming the header, and a
 * refused write publishes nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.access.write-keys=test-write-key,burst-key", "marquee.access.read-keys=test-read-key",
        "marquee.access.requests-per-second=20"})
@NeedsInfrastructure
class ApiAccessIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Autowired
    Environment env;

    @Test
    void aWriteWithoutAKeyIs401NamingTheHeaderAndPublishesNothing() throws Exception {
        String user = "acc-anon-" + run;
        HttpResponse<String> r = send("POST", "/events", event(user), null);
        assertProblem(r, 401);
        assertThat(send("POST", "/events", event(user), "test-write-key").statusCode()).isEqualTo(202);
        // the write with the key is applied; the refused one never was: one event, not two
        awaitEventCount(user, 1);
    }

    @Test
    void aWriteWithAReadKeyIs403() throws Exception {
        assertProblem(send("POST", "/events", event("acc-read-" + run), "test-read-key"), 403);
    }

    @Test
    void anUnknownKeyIs401EvenWhereNoKeyIsNeeded() throws Exception {
        assertProblem(send("POST", "/events", event("acc-unknown-" + run), "test-write-keyX"), 401);
        assertProblem(send("GET", "/actuator/health", null, "not-a-key"), 401);
    }

    @Test
    void readsNeedAReadOrWriteKeyOnceReadKeysAreSetAndHealthIsOpen() throws Exception {
        String path = "/users/acc-nobody-" + run + "/features";
        assertProblem(send("GET", path, null, null), 401);
        assertThat(send("GET", path, null, "test-read-key").statusCode()).isEqualTo(200);
        assertThat(send("GET", path, null, "test-write-key").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aCallerOverItsRateGets429WithRetryAfterWhileOtherCallersDoNot() throws Exception {
        List<HttpResponse<String>> burst = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            burst.add(send("GET", "/actuator/health", null, "burst-key"));
        }
        HttpResponse<String> refused = burst.stream().filter(r -> r.statusCode() == 429).findFirst().orElseThrow(
                () -> new AssertionError("60 requests at once, limit 20/s: none refused"));
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertProblem(refused, 429);
        assertThat(burst.stream().filter(r -> r.statusCode() == 200).count()).isGreaterThanOrEqualTo(20);
        // another caller is not charged for this one's burst, and this one is let through again a second later
        assertThat(send("GET", "/actuator/health", null, "test-write-key").statusCode()).isEqualTo(200);
        Thread.sleep(1100);
        assertThat(send("GET", "/actuator/health", null, "burst-key").statusCode()).isEqualTo(200);
    }

    private void assertProblem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("errors").get(0).get("field").asString()).isEqualTo("X-API-Key");
    }

    private void awaitEventCount(String user, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int count = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send("GET", "/users/" + user + "/features", null, "test-read-key");
            count = JSON.readTree(r.body()).path("eventCount").asInt(-1);
            if (count == expected) {
                Thread.sleep(1000);
                count = JSON.readTree(send("GET", "/users/" + user + "/features", null, "test-read-key").body())
                        .path("eventCount").asInt(-1);
                break;
            }
            Thread.sleep(100);
        }
        assertThat(count).as("events applied for " + user).isEqualTo(expected);
    }

    private static String event(String user) {
        return "{\"eventId\":\"acc-" + UUID.randomUUID() + "\",\"userId\":\"" + user + "\",\"itemId\":\"acc-item\","
                + "\"type\":\"view\",\"timestamp\":\"" + Instant.now() + "\"}";
    }

    private HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + env.getProperty("local.server.port") + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            req.header("X-API-Key", key);
        }
        return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }
}
