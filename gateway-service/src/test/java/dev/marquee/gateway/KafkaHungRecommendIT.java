package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Metrics;
import dev.marquee.common.it.ClosedPort;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.NeedsInfrastructure;
import dev.marquee.common.redis.RedisKeys;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kafka hung (connections accepted, never answered) from the gateway's start: Kafka only receives the impressions a
 * /recommend logs, so every answer is still a 200 at the speed of the others, and the impressions that cannot be sent
 * are counted as failed, off the request thread.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=remote",
        "marquee.gateway.retrieval-url=http://127.0.0.1:9",
        "marquee.gateway.ranking-url=http://127.0.0.1:9",
        "marquee.gateway.popular-cache-ttl=0s"})
@NeedsInfrastructure
class KafkaHungRecommendIT {
    private static final FaultGate KAFKA = FaultGate.to("127.0.0.1", ClosedPort.number(), FaultGate.Mode.HUNG);
    @Autowired
    Environment env;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    MeterRegistry meters;
    @Autowired
    JsonMapper json;

    @DynamicPropertySource
    static void kafkaBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("spring.kafka.bootstrap-servers", () -> "127.0.0.1:" + KAFKA.port());
    }

    @AfterAll
    static void close() throws Exception {
        KAFKA.close();
    }

    @Test
    void answersAre200WithoutWaitingForKafkaAndTheUnsentImpressionsAreCountedAsFailed() throws Exception {
        String hot = "kafka-hung-" + UUID.randomUUID();
        redis.opsForZSet().add(RedisKeys.POPULAR, hot, 1e12);
        try {
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + env.getProperty("local.server.port") + "/recommend?userId=kh-" + i + "&k=3")).build(),
                        HttpResponse.BodyHandlers.ofString());
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                // the producer waits up to max.block.ms (1 s) for Kafka's metadata per send, 3 impressions per answer:
                // an answer that waited for them would take 3 s
                assertThat(millis).as("answer %d", i).isLessThan(2500);
                assertThat(json.readTree(r.body()).get("items").toString()).contains(hot);
            }
        } finally {
            redis.opsForZSet().remove(RedisKeys.POPULAR, hot);
        }
        Instant deadline = Instant.now().plusSeconds(20);
        while (failed() == 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertThat(failed()).as("impressions counted as failed").isPositive();
        assertThat(meters.counter(Metrics.IMPRESSIONS_LOGGED, Metrics.TAG_OUTCOME, "sent").count()).isZero();
    }

    private double failed() {
        return meters.counter(Metrics.IMPRESSIONS_LOGGED, Metrics.TAG_OUTCOME, "failed").count();
    }
}
