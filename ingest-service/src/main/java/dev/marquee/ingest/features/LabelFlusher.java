package dev.marquee.ingest.features;

import dev.marquee.common.Topics;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.json.JsonMapper;

import static dev.marquee.common.redis.FeatureStore.bytes;

/**
 * Turns impressions whose label window has passed (in event time of their partition) without engagement into negative
 * examples. Runs on the consumer thread between batches, so it never races with {@link LabelJoiner} for the same user.
 */
final class LabelFlusher {
    private static final int MAX_PER_FLUSH = 1000;

    private final FeatureStore store;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;

    LabelFlusher(FeatureStore store, KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.store = store;
        this.kafka = kafka;
        this.json = json;
    }

    /**
     * Flushes what is due on each partition by its latest event time, in chunks, until nothing is due or
     * {@code budgetNanos} is spent (the rest waits for the next flush); returns the number of due entries handled.
     */
    int flush(Map<Integer, Long> eventTimes, long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        int handled = 0;
        for (var entry : eventTimes.entrySet()) {
            int n;
            do {
                n = flush(entry.getKey(), entry.getValue());
                handled += n;
            } while (n == MAX_PER_FLUSH && System.nanoTime() < deadline);
        }
        return handled;
    }

    /** Resolves up to MAX_PER_FLUSH due impressions; returns how many due entries it handled. */
    private int flush(int partition, long eventTime) {
        byte[] dueKey = bytes(RedisKeys.labelsDue(partition));
        Collection<String> due = store.pipelined(c -> {
            c.zSetCommands().zRangeByScore(dueKey, Double.NEGATIVE_INFINITY, eventTime, 0, MAX_PER_FLUSH);
            return null;
        }).stream().flatMap(r -> ((Collection<?>) r).stream()).map(m -> new String((byte[]) m,
                StandardCharsets.UTF_8)).toList();
        if (due.isEmpty()) {
            return 0;
        }
        List<String[]> parsed = due.stream().map(m -> m.split("\\|", 3)).toList();
        List<Object> pending = store.pipelined(c -> {
            parsed.forEach(p -> c.hashCommands().hGet(bytes(RedisKeys.pendingImpressions(p[0])), bytes(p[1])));
            return null;
        });
        List<LabelledExample> negatives = new ArrayList<>();
        List<String[]> resolved = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            String[] p = parsed.get(i);
            if (pending.get(i) != null) {
                LabelJoiner.Pending shown = LabelJoiner.Pending.parse(new String((byte[]) pending.get(i),
                        StandardCharsets.UTF_8));
                if (shown.requestId().equals(p[2])) {
                    negatives.add(LabelJoiner.example(p[0], p[1], shown, 0, null,
                            Instant.ofEpochMilli(eventTime)));
                    resolved.add(p);
                }
            }
        }
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (LabelledExample x : negatives) {
            sends.add(kafka.send(Topics.EXAMPLES, x.userId(), json.writeValueAsString(x)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).join();
        store.pipelined(c -> {
            c.multi();
            resolved.forEach(p -> c.hashCommands().hDel(bytes(RedisKeys.pendingImpressions(p[0])), bytes(p[1])));
            c.zSetCommands().zRem(dueKey, due.stream().map(FeatureStore::bytes).toArray(byte[][]::new));
            c.exec();
            return null;
        });
        return due.size();
    }
}
