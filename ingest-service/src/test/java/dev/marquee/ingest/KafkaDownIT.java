package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import dev.marquee.common.it.ClosedPort;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Kafka down (connections closed at once) or hung (connections accepted, never answered), behind a {@link FaultGate}
 * with nothing behind it: a valid event is answered 503 within the send timeout, not after the producer's 60 s
 * default wait for metadata — nothing was acknowledged, so the client knows to retry.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.kafka.admin.auto-create=false", "spring.kafka.listener.auto-startup=false"})
@NeedsInfrastructure
class KafkaDownIT {
    @Autowired
    Environment env;

    private static final FaultGate KAFKA = FaultGate.to("127.0.0.1", ClosedPort.number(), FaultGate.Mode.DOWN);

    @DynamicPropertySource
    static void kafkaBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA.port());
    }

    @AfterAll
    static void close() throws Exception {
        KAFKA.close();
    }

    @ParameterizedTest
    @EnumSource(value = FaultGate.Mode.class, names = {"DOWN", "HUNG"})
    void aValidEventIsAnswered503WithinTheSendTimeoutWhenKafkaIsDownOrHung(FaultGate.Mode mode) throws Exception {
        KAFKA.set(mode);
        String body = "{\"eventId\":\"kd-" + UUID.randomUUID() + "\",\"userId\":\"kd-user\",\"itemId\":\"kd-item\","
                + "\"type\":\"view\",\"timestamp\":\"" + Instant.now() + "\"}";
        long t0 = System.nanoTime();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + env.getProperty("local.server.port") + "/events"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(seconds).as("seconds to answer, Kafka %s", mode).isLessThan(6.0);
    }
}
