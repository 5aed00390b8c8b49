package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ingest.config.IngestProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.stereotype.Component;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Applies a batch of interaction events to the Redis feature store in three pipelined round trips: which event ids
 * are new, the state the update needs (item vectors and categories, current taste vectors), and the writes.
 * Every event id is marked processed in the same pipeline as its writes, so a replayed event changes nothing.
 */
@Component
public class FeatureUpdater {
    private final FeatureStore store;
    private final IngestProperties props;
    private final Counter applied;
    private final Counter duplicates;
    private final Timer freshness;

    FeatureUpdater(FeatureStore store, IngestProperties props, MeterRegistry meters) {
        this.store = store;
        this.props = props;
        this.applied = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "applied");
        this.duplicates = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "duplicate");
        this.freshness = Timer.builder(Metrics.FEATURE_FRESHNESS).publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1))
                .register(meters);
    }

    /** Applies the events (in order) and returns how many were new. */
    public int apply(List<InteractionEvent> batch) {
        List<InteractionEvent> events = newEvents(batch);
        if (events.isEmpty()) {
            return 0;
        }
        Set<String> itemIds = new LinkedHashSet<>();
        Set<String> userIds = new LinkedHashSet<>();
        events.forEach(e -> {
            itemIds.add(e.itemId());
            userIds.add(e.userId());
        });
        Map<String, FeatureStore.ItemTaste> items = store.itemTastes(itemIds);
        Map<String, float[]> tastes = tastes(List.copyOf(userIds));
        for (InteractionEvent e : events) {
            FeatureStore.ItemTaste item = items.get(e.itemId());
            if (item != null && item.vector() != null) {
                tastes.put(e.userId(), Vectors.decayAndAdd(tastes.get(e.userId()), props.tasteDecay(),
                        item.vector(), e.type().weight()));
            }
        }
        write(events, items, tastes);
        Instant now = Instant.now();
        events.forEach(e -> freshness.record(Duration.between(e.timestamp(), now).abs()));
        applied.increment(events.size());
        return events.size();
    }

    private List<InteractionEvent> newEvents(List<InteractionEvent> batch) {
        Map<String, InteractionEvent> unique = new LinkedHashMap<>();
        batch.forEach(e -> unique.putIfAbsent(e.eventId(), e));
        List<InteractionEvent> candidates = List.copyOf(unique.values());
        List<Object> seen = store.pipelined(c -> {
            candidates.forEach(e -> c.keyCommands().exists(bytes(RedisKeys.processedEvent(e.eventId()))));
            return null;
        });
        List<InteractionEvent> fresh = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (Boolean.TRUE.equals(seen.get(i))) {
                continue;
            }
            fresh.add(candidates.get(i));
        }
        duplicates.increment(batch.size() - fresh.size());
        return fresh;
    }

    private Map<String, float[]> tastes(List<String> userIds) {
        List<Object> raw = store.pipelined(c -> {
            userIds.forEach(u -> c.stringCommands().get(bytes(RedisKeys.userTaste(u))));
            return null;
        });
        Map<String, float[]> out = new HashMap<>();
        for (int i = 0; i < userIds.size(); i++) {
            float[] v = Vectors.fromBytes((byte[]) raw.get(i));
            if (v != null) {
                out.put(userIds.get(i), v);
            }
        }
        return out;
    }

    private void write(List<InteractionEvent> events, Map<String, FeatureStore.ItemTaste> items,
                       Map<String, float[]> tastes) {
        long userTtl = RedisKeys.USER_TTL.toSeconds();
        Expiration eventTtl = Expiration.from(RedisKeys.EVENT_ID_TTL);
        Set<String> users = new LinkedHashSet<>();
        events.forEach(e -> users.add(e.userId()));
        store.pipelined(c -> {
            for (InteractionEvent e : events) {
                double w = e.type().weight();
                c.listCommands().lPush(bytes(RedisKeys.userRecent(e.userId())), bytes(e.itemId()));
                c.stringCommands().incr(bytes(RedisKeys.userEventCount(e.userId())));
                c.zSetCommands().zIncrBy(bytes(RedisKeys.POPULAR), w, bytes(e.itemId()));
                FeatureStore.ItemTaste item = items.get(e.itemId());
                if (item != null && item.category() != null) {
                    c.hashCommands().hIncrBy(bytes(RedisKeys.userCategories(e.userId())), bytes(item.category()), w);
                }
                c.stringCommands().set(bytes(RedisKeys.processedEvent(e.eventId())), bytes("1"), eventTtl,
                        SetOption.upsert());
            }
            for (String u : users) {
                c.listCommands().lTrim(bytes(RedisKeys.userRecent(u)), 0, RedisKeys.RECENT_CAP - 1L);
                float[] taste = tastes.get(u);
                if (taste != null) {
                    c.stringCommands().set(bytes(RedisKeys.userTaste(u)), Vectors.toBytes(taste));
                }
                for (String key : List.of(RedisKeys.userRecent(u), RedisKeys.userTaste(u),
                        RedisKeys.userCategories(u), RedisKeys.userEventCount(u))) {
                    c.keyCommands().expire(bytes(key), userTtl);
                }
            }
            return null;
        });
    }
}
