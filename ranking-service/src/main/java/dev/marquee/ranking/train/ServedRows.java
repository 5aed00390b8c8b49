package dev.marquee.ranking.train;

import dev.marquee.common.Topics;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.common.feature.ServedFeatures;
import dev.marquee.ranking.served.ServedFeaturesProperties;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The feature rows the server logged when it scored ({@link Topics#SERVED_FEATURES}), kept in memory for the trainer to
 * join with the labelled examples: the newest {@code marquee.ranking.served-features.max-rows} rows, grouped by request
 * (a re-delivered request replaces itself). Read from the start of the topic at every start, like
 * {@link LabelledExamples}. Rows logged under another feature list are kept only as "stale" markers (item ids, no
 * values), so the trainer can count them.
 */
@Component
public class ServedRows implements ConsumerSeekAware {
    private static final Logger log = LoggerFactory.getLogger(ServedRows.class);
    private final JsonMapper json;
    private final int maxRows;
    private final String featureHash = RankingFeatures.hash();
    private final LinkedHashMap<String, Request> window = new LinkedHashMap<>();
    private long rows;

    ServedRows(JsonMapper json, ServedFeaturesProperties props) {
        this.json = json;
        this.maxRows = props.maxRows();
    }

    /** One request's logged rows: item ids best first, and their row-major values ({@code null} when stale). */
    private record Request(String[] itemIds, float[] values) {
    }

    /** What the log holds for one example. */
    public enum Kind { LOGGED, STALE, NONE }

    /** @param row the logged row when {@code kind} is {@link Kind#LOGGED}, else {@code null} */
    public record Found(Kind kind, float[] row) {
        static final Found NONE = new Found(Kind.NONE, null);
        static final Found STALE = new Found(Kind.STALE, null);
    }

    /** A point-in-time copy of the window for one training run. */
    public static final class Snapshot {
        private final Map<String, Request> byRequest;

        private Snapshot(Map<String, Request> byRequest) {
            this.byRequest = byRequest;
        }

        /** The logged row of example {@code requestId:itemId}. */
        public Found find(String requestId, String itemId) {
            Request r = requestId == null ? null : byRequest.get(requestId);
            if (r == null) {
                return Found.NONE;
            }
            int width = FeatureAssembler.width();
            for (int i = 0; i < r.itemIds().length; i++) {
                if (r.itemIds()[i].equals(itemId)) {
                    if (r.values() == null) {
                        return Found.STALE;
                    }
                    float[] row = new float[width];
                    System.arraycopy(r.values(), i * width, row, 0, width);
                    return new Found(Kind.LOGGED, row);
                }
            }
            return Found.NONE;
        }

        public int requests() {
            return byRequest.size();
        }
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        callback.seekToBeginning(assignments.keySet());
    }

    @KafkaListener(id = "served-features", topics = Topics.SERVED_FEATURES, batch = "true")
    void onServed(List<ConsumerRecord<String, String>> records) {
        for (ConsumerRecord<String, String> r : records) {
            try {
                add(json.readValue(r.value(), ServedFeatures.class));
            } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
                log.warn("unreadable served features at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
    }

    synchronized void add(ServedFeatures served) {
        int width = FeatureAssembler.width();
        List<ServedFeatures.Row> in = served.rows();
        String[] ids = new String[in.size()];
        boolean current = featureHash.equals(served.featureHash());
        float[] values = current ? new float[in.size() * width] : null;
        for (int i = 0; i < ids.length; i++) {
            ServedFeatures.Row row = in.get(i);
            ids[i] = row.itemId();
            if (current) {
                if (row.features().length != width) {
                    throw new IllegalArgumentException("row of " + row.features().length + " values under feature hash "
                            + featureHash + " (" + width + " features)");
                }
                System.arraycopy(row.features(), 0, values, i * width, width);
            }
        }
        Request previous = window.remove(served.requestId());
        if (previous != null) {
            rows -= previous.itemIds().length;
        }
        window.put(served.requestId(), new Request(ids, values));
        rows += ids.length;
        var oldest = window.entrySet().iterator();
        while (rows > maxRows && oldest.hasNext()) {
            rows -= oldest.next().getValue().itemIds().length;
            oldest.remove();
        }
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(new HashMap<>(window));
    }

    /** Rows held now. */
    public synchronized long rows() {
        return rows;
    }
}
