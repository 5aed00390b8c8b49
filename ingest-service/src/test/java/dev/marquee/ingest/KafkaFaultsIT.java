package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.FaultGate.Mode;
import dev.marquee.common.it.NeedsInfrastructure;
import dev.marquee.common.redis.FeatureStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Ingest with the real Kafka behind a {@link FaultGate} on Kafka's gated listener, so the producer and the stream
 * consumer talk to the broker only through the gate, and both are connected before the fault starts. While Kafka is
 * down, hung or slow every {@code POST /events} is answered within 6 s: 202 only for what Kafka acknowledged, 503
 * otherwise. Once Kafka is back, the client retries each 503 (as the API documents) and then every event is applied
 * exactly once: nothing acknowledged is lost, nothing is counted twice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@NeedsInfrastructure
class KafkaFaultsIT {
    /** Never closed: the cached context's producer and consumer close through it when the JVM ends. */
    private static final FaultGate KAFKA = FaultGate.toKafka(Mode.OPEN);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The send timeout (4 s) and a margin for a loaded box: the 6 s an outage may cost a client. */
    private static final double ANSWER_SECONDS = 6.0;
    private static final int EVENTS = 5;

    @Autowired
    Environment env;
    @Autowired
    FeatureStore store;

    @DynamicPropertySource
    static void kafkaBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA.port());
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"DOWN", "HUNG", "SLOW"})
    void eventsPostedWhileKafkaFailsAreAnsweredInTimeAndNoneIsLostOrDoubledAfterRetries(Mode mode)
            throws Exception {
        String user = "kafka-" + mode + "-" + UUID.randomUUID();
        // the producer and the consumer are connected (partitions assigned) before the fault starts
        assertThat(post(event("probe-" + user, user, "kf-probe")).statusCode()).isEqualTo(202);
        AppliedEvents.await(store, user, 1, Duration.ofSeconds(60));

        List<String> unacknowledged = new ArrayList<>();
        int acknowledged = 0;
        if (mode == Mode.SLOW) {
            KAFKA.slow(Duration.ofMillis(200));
        } else {
            KAFKA.set(mode);
        }
        try {
            for (int i = 0; i < EVENTS; i++) {
                String body = event("kf-" + user + "-" + i, user, "kf-item-" + i);
                long t0 = System.nanoTime();
                HttpResponse<String> r = post(body);
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(seconds).as("seconds to answer event %d, Kafka %s", i, mode).isLessThan(ANSWER_SECONDS);
                assertThat(r.statusCode()).as(r.body()).isIn(202, 503);
                if (r.statusCode() == 202) {
                    acknowledged++;
                } else {
                    unacknowledged.add(body);
                }
            }
        } finally {
            KAFKA.set(Mode.OPEN);
        }
        if (mode != Mode.SLOW) {
            assertThat(acknowledged).as("events acknowledged while Kafka was %s", mode).isZero();
        }

        // the client's retries: a 503 said "not stored", so it sends the same event (same id) again
        for (String body : unacknowledged) {
            Instant deadline = Instant.now().plusSeconds(30);
            int status;
            do {
                status = post(body).statusCode();
            } while (status != 202 && Instant.now().isBefore(deadline));
            assertThat(status).as("a retry once Kafka is back").isEqualTo(202);
        }
        AppliedEvents.await(store, user, 1 + EVENTS, Duration.ofSeconds(30));
        Thread.sleep(1000); // a copy the producer delivered after its 503 would arrive late
        assertThat(store.user(user).eventCount()).isEqualTo(1 + EVENTS);
        assertThat(store.user(user).recentItems()).hasSize(1 + EVENTS);
    }

    private static String event(String id, String user, String item) {
        return "{\"eventId\":\"" + id + "\",\"userId\":\"" + user + "\",\"itemId\":\"" + item
                + "\",\"type\":\"view\",\"timestamp\":\"" + Instant.now() + "\"}";
    }

    private HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.getProperty("local.server.port")
                        + "/events")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
