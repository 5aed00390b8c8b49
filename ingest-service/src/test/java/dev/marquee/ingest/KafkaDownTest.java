package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.ClosedPort;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Kafka down (nothing listens on its port): a valid event is answered 503 within the send timeout, not after the
 * producer's 60 s default wait for metadata — nothing was acknowledged, so the client knows to retry.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.admin.auto-create=false", "spring.kafka.listener.auto-startup=false"})
@NeedsInfrastructure
class KafkaDownTest {
    @Autowired
    Environment env;

    @DynamicPropertySource
    static void kafkaWhereNothingListens(DynamicPropertyRegistry registry) {
        int closed = ClosedPort.number();
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + closed);
    }

    @Test
    void aValidEventIsAnswered503WithinTheSendTimeoutWhenKafkaIsDown() throws Exception {
        String body = "{\"eventId\":\"kd-" + UUID.randomUUID() + "\",\"userId\":\"kd-user\",\"itemId\":\"kd-item\","
                + "\"type\":\"view\",\"timestamp\":\"" + Instant.now() + "\"}";
        long t0 = System.nanoTime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + env.getProperty("local.server.port") + "/events"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(seconds).as("seconds to answer").isLessThan(6.5);
    }
}
