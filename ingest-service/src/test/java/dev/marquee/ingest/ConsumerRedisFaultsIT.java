package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.it.FaultGate;
import dev.marquee.common.it.FaultGate.Mode;
import dev.marquee.common.it.NeedsInfrastructure;
import dev.marquee.common.redis.FeatureStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stream consumer with its Redis behind a {@link FaultGate}: down, hung (connections accepted, nothing answered,
 * the way a stuck server or a dropped network looks) or slow while events arrive. Once Redis answers again every
 * event is applied, exactly once, within seconds: the consumer neither wedges nor skips.
 */
@SpringBootTest
@NeedsInfrastructure
class ConsumerRedisFaultsIT {
    private static final FaultGate REDIS = FaultGate.toRedis();
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    FeatureStore store;
    @Autowired
    JsonMapper json;

    @DynamicPropertySource
    static void redisBehindTheGate(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> "127.0.0.1");
        registry.add("spring.data.redis.port", REDIS::port);
    }

    @AfterAll
    static void close() throws IOException {
        REDIS.close();
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"DOWN", "HUNG", "SLOW"})
    void eventsArrivingWhileRedisFailsAreAllAppliedExactlyOnceWhenItIsBack(Mode mode) throws Exception {
        String user = "redis-" + mode + "-" + UUID.randomUUID();
        // the consumer is running (partitions assigned) before the fault starts
        send(new InteractionEvent("probe-" + user, user, "fault-probe", EventType.VIEW, Instant.now()));
        AppliedEvents.await(store, user, 1, Duration.ofSeconds(60));

        if (mode == Mode.SLOW) {
            REDIS.slow(Duration.ofMillis(50));
        } else {
            REDIS.set(mode);
        }
        try {
            for (int i = 0; i < 20; i++) {
                send(new InteractionEvent("rf-" + user + "-" + i, user, "fault-item-" + i, EventType.VIEW,
                        Instant.now()));
            }
            Thread.sleep(3000); // the consumer fails, waits or crawls meanwhile
        } finally {
            REDIS.set(Mode.OPEN);
        }

        // back within seconds: Lettuce's default reconnect back-off (up to 30 s) once made this a minute
        AppliedEvents.await(store, user, 21, Duration.ofSeconds(20));
        Thread.sleep(500); // nothing applied twice arrives late
        assertThat(store.user(user).eventCount()).isEqualTo(21);
        assertThat(store.user(user).recentItems()).hasSize(21);
    }

    private void send(InteractionEvent e) throws Exception {
        kafka.send(Topics.EVENTS, e.userId(), json.writeValueAsString(e)).get();
    }
}
