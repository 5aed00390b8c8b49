package dev.marquee.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.redis.FeatureStore;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Redis refuses every write for a few seconds (maxmemory 1 byte, noeviction: "OOM command not allowed") while events
 * arrive; once it accepts writes again, every event is applied, exactly once.
 */
@SpringBootTest
@NeedsInfrastructure
class RedisOutageIT {
    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    FeatureStore store;
    @Autowired
    JsonMapper json;

    @Test
    void eventsArrivingWhileRedisRefusesWritesAreAppliedOnceItRecovers() throws Exception {
        String user = "outage-" + UUID.randomUUID();
        // the consumer is running (partitions assigned) before the outage starts
        send(new InteractionEvent("probe-" + user, user, "outage-probe", EventType.VIEW, Instant.now()));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (store.user(user).eventCount() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long refusedBefore = oomErrors();
        setMaxMemory("1");
        try {
            for (int i = 0; i < 20; i++) {
                InteractionEvent e = new InteractionEvent("oe-" + user + "-" + i, user, "outage-item-" + i,
                        EventType.VIEW, Instant.now());
                send(e);
            }
            Thread.sleep(4000); // the consumer fails and retries meanwhile
        } finally {
            setMaxMemory("0");
        }
        assertThat(oomErrors()).as("writes refused during the outage").isGreaterThan(refusedBefore);
        deadline = System.nanoTime() + 30_000_000_000L;
        while (store.user(user).eventCount() < 21 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(500);
        assertThat(store.user(user).eventCount()).isEqualTo(21);
        assertThat(store.user(user).recentItems()).hasSize(21);
    }

    private void send(InteractionEvent e) throws Exception {
        kafka.send(Topics.EVENTS, e.userId(), json.writeValueAsString(e)).get();
    }

    /** Redis' count of replies refused for lack of memory ({@code INFO errorstats}, errorstat_OOM). */
    private long oomErrors() {
        java.util.Properties info = redis.execute((RedisCallback<java.util.Properties>) c ->
                c.serverCommands().info("errorstats"));
        String oom = info.getProperty("errorstat_OOM");
        return oom == null ? 0 : Long.parseLong(oom.replaceAll(".*count=(\\d+).*", "$1"));
    }

    private void setMaxMemory(String bytes) {
        redis.execute((RedisCallback<Object>) c -> {
            c.serverCommands().setConfig("maxmemory-policy", "noeviction");
            c.serverCommands().setConfig("maxmemory", bytes);
            return null;
        });
    }
}
