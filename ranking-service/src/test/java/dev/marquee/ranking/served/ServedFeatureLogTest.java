package dev.marquee.ranking.served;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RankRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served-feature log against a Kafka that does not answer (a real producer, nothing listening on its port): /rank
 * must not wait for it, and what cannot be queued is dropped and counted.
 */
class ServedFeatureLogTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final DefaultKafkaProducerFactory<String, String> producers = new DefaultKafkaProducerFactory<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));

    @AfterEach
    void close() {
        producers.destroy();
    }

    private ServedFeatureLog log(int queueCapacity) {
        return new ServedFeatureLog(new KafkaTemplate<>(producers), JsonMapper.builder().build(), meters,
                new ServedFeaturesProperties(20, queueCapacity, 1, 1000));
    }

    private double count(String outcome) {
        return meters.counter(Metrics.SERVED_FEATURES_LOGGED, Metrics.TAG_OUTCOME, outcome).count();
    }

    private static void scored(ServedFeatureLog log, String requestId) {
        List<String> ids = List.of("i-0", "i-1", "i-2");
        float[] matrix = new float[ids.size() * FeatureAssembler.width()];
        log.log(new RankRequest("u-1", ids.stream().map(id -> new Candidate(id, 1.0, "Popular")).toList(), requestId),
                "v1", ids, matrix, new float[] {0.3f, 0.2f, 0.1f}, new int[] {0, 1, 2});
    }

    @Test
    void rankingNeverWaitsForAnUnreachableKafkaAndCountsWhatItDrops() throws Exception {
        ServedFeatureLog log = log(2);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            scored(log, "req-" + i);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(millis).as("50 logged requests while the sender waits 3 s for Kafka").isLessThan(500);
        // one request is being sent (blocked on metadata), two wait in the queue, the rest are dropped
        assertThat(count("dropped")).isEqualTo(47);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (count("failed") < 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(count("failed")).isGreaterThanOrEqualTo(1);
        assertThat(count("sent")).isZero();
        log.shutdown();
    }

    @Test
    void requestsWithoutARequestIdAreNotLogged() throws Exception {
        ServedFeatureLog log = log(1);
        for (int i = 0; i < 10; i++) {
            scored(log, null);
        }
        // had they been queued, all but two would have been dropped by the one-slot queue
        assertThat(count("dropped")).isZero();
        log.shutdown();
    }
}
