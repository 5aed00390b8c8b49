package dev.marquee.ranking.served;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.common.feature.ServedFeatures;
import dev.marquee.common.recommend.RankRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Logs the feature rows {@code /rank} scored to {@link Topics#SERVED_FEATURES} (key = user id): the top
 * {@code marquee.ranking.served-features.top-n} rows of the ranked list, with request id, user, model version,
 * feature hash and time, for the trainer to learn from exactly what the model saw. Requests without a request id
 * cannot be joined with their labels and are not logged.
 *
 * <p>Never holds or fails a request: the rows are copied on the request thread (a few dozen floats), serialised and
 * sent by one background thread behind a bounded queue; when the queue is full or Kafka is down, the request's rows are
 * dropped and counted in {@link Metrics#SERVED_FEATURES_LOGGED}.
 */
@Component
public class ServedFeatureLog {
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final int topN;
    private final String featureHash = RankingFeatures.hash();
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final ExecutorService sender;

    public ServedFeatureLog(KafkaTemplate<String, String> kafka, JsonMapper json, MeterRegistry meters,
                            ServedFeaturesProperties props) {
        this.kafka = kafka;
        this.json = json;
        this.topN = props.topN();
        this.sent = meters.counter(Metrics.SERVED_FEATURES_LOGGED, Metrics.TAG_OUTCOME, "sent");
        this.failed = meters.counter(Metrics.SERVED_FEATURES_LOGGED, Metrics.TAG_OUTCOME, "failed");
        this.dropped = meters.counter(Metrics.SERVED_FEATURES_LOGGED, Metrics.TAG_OUTCOME, "dropped");
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(props.queueCapacity()), r -> {
                    Thread t = new Thread(r, "served-feature-log");
                    t.setDaemon(true);
                    return t;
                }, (task, pool) -> dropped.increment());
    }

    /**
     * Queues the top rows of a scored request.
     *
     * @param itemIds the scored items, one per matrix row
     * @param matrix  the row-major matrix the model scored ({@link FeatureAssembler#matrix})
     * @param scores  the model's score per row
     * @param order   row indices best first
     */
    public void log(RankRequest request, String modelVersion, List<String> itemIds, float[] matrix, float[] scores,
                    int[] order) {
        if (request.requestId() == null || topN == 0 || order.length == 0) {
            return;
        }
        int width = FeatureAssembler.width();
        int n = Math.min(topN, order.length);
        List<ServedFeatures.Row> rows = new ArrayList<>(n);
        for (int rank = 0; rank < n; rank++) {
            int r = order[rank];
            rows.add(new ServedFeatures.Row(itemIds.get(r), rank, scores[r],
                    Arrays.copyOfRange(matrix, r * width, (r + 1) * width)));
        }
        ServedFeatures served = new ServedFeatures(request.requestId(), request.userId(), modelVersion, featureHash,
                Instant.now(), List.copyOf(rows));
        sender.execute(() -> send(served));
    }

    private void send(ServedFeatures served) {
        try {
            kafka.send(Topics.SERVED_FEATURES, served.userId(), json.writeValueAsString(served))
                    .whenComplete((r, error) -> (error == null ? sent : failed).increment());
        } catch (RuntimeException e) { // no metadata within max.block.ms: Kafka is unreachable
            failed.increment();
        }
    }

    @PreDestroy
    void shutdown() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(2, TimeUnit.SECONDS);
    }
}
