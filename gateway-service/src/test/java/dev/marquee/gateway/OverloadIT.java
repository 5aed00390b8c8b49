package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.ClosedPort;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Overload: with one request allowed in flight and retrieval hanging (it accepts connections and never answers, as
 * a stuck process does), concurrent requests beyond the first are answered at once from the popular list, 200 and
 * flagged "overloaded", instead of queueing behind it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=remote",
        "marquee.gateway.max-in-flight=1", "marquee.gateway.retrieval-timeout=2s",
        "marquee.gateway.ranking-url=http://127.0.0.1:9"})
@NeedsInfrastructure
class OverloadIT {
    /** Retrieval hung: accepts connections, never answers. */
    private static final FaultGate HANGING = FaultGate.to("127.0.0.1", ClosedPort.number(),
            FaultGate.Mode.HUNG);
    @Autowired
    Environment env;
    @Autowired
    JsonMapper json;

    @DynamicPropertySource
    static void retrieval(DynamicPropertyRegistry registry) {
        registry.add("marquee.gateway.retrieval-url", () -> "http://127.0.0.1:" + HANGING.port());
    }

    @AfterAll
    static void close() throws IOException {
        HANGING.close();
    }

    @Test
    void requestsBeyondTheInFlightLimitAreAnsweredFromThePopularListFlaggedOverloaded() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + env.getProperty("local.server.port") + "/recommend?userId=crowd-" + i + "&k=3")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int overloaded = 0;
        int retrievalTimedOut = 0;
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = call.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = json.readTree(r.body());
            assertThat(body.get("degraded").asBoolean()).isTrue();
            String reason = body.get("degradedReasons").get(0).asString();
            if (reason.startsWith("overloaded")) {
                overloaded++;
            } else if (reason.startsWith("retrieval unavailable")) {
                retrievalTimedOut++;
            }
        }
        // the request holding the only permit waits for the hanging retrieval; the others do not queue behind it
        assertThat(overloaded).isGreaterThanOrEqualTo(1);
        assertThat(overloaded + retrievalTimedOut).isEqualTo(6);
    }
}
