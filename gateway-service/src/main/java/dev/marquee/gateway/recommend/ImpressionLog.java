package dev.marquee.gateway.recommend;

import dev.marquee.common.Metrics;
import dev.marquee.common.Topics;
import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Logs every item a /recommend response showed as an {@code impression} event on the events topic (request id,
 * 0-based position, variant, and the request's device and page), where the stream consumer counts it for CTR and joins it with the clicks that follow
 * into labelled examples. Never holds or fails a request: sends happen on one background thread behind a bounded
 * queue; when Kafka is down or the queue is full, impressions are dropped and counted.
 */
@Component
class ImpressionLog {
    private static final int QUEUE = 10_000;

    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final Counter sent;
    private final Counter failed;
    private final Counter dropped;
    private final ExecutorService sender;

    ImpressionLog(KafkaTemplate<String, String> kafka, JsonMapper json, MeterRegistry meters) {
        this.kafka = kafka;
        this.json = json;
        this.sent = meters.counter(Metrics.IMPRESSIONS_LOGGED, Metrics.TAG_OUTCOME, "sent");
        this.failed = meters.counter(Metrics.IMPRESSIONS_LOGGED, Metrics.TAG_OUTCOME, "failed");
        this.dropped = meters.counter(Metrics.IMPRESSIONS_LOGGED, Metrics.TAG_OUTCOME, "dropped");
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "impression-log");
            t.setDaemon(true);
            return t;
        }, (task, pool) -> dropped.increment(((ImpressionTask) task).size()));
    }

    void log(String requestId, String userId, List<RecommendResponse.RecommendedItem> items, String variant,
             RecommendRequest.Context context) {
        if (items.isEmpty()) {
            return;
        }
        sender.execute(new ImpressionTask(requestId, userId, List.copyOf(items), variant, context, Instant.now()));
    }

    @PreDestroy
    void shutdown() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(2, TimeUnit.SECONDS);
    }

    private final class ImpressionTask implements Runnable {
        private final String requestId;
        private final String userId;
        private final List<RecommendResponse.RecommendedItem> items;
        private final String variant;
        private final RecommendRequest.Context context;
        private final Instant at;

        ImpressionTask(String requestId, String userId, List<RecommendResponse.RecommendedItem> items, String variant,
                       RecommendRequest.Context context, Instant at) {
            this.requestId = requestId;
            this.userId = userId;
            this.items = items;
            this.variant = variant;
            this.context = context;
            this.at = at;
        }

        int size() {
            return items.size();
        }

        @Override
        public void run() {
            for (RecommendResponse.RecommendedItem item : items) {
                int position = item.position() - 1;
                InteractionEvent e = new InteractionEvent(requestId + ":" + position, userId, item.itemId(),
                        EventType.IMPRESSION, at, null, new EventContext(context.device(), context.page(), position, requestId, variant), null);
                try {
                    kafka.send(Topics.EVENTS, userId, json.writeValueAsString(e)).whenComplete((r, error) -> {
                        if (error == null) {
                            sent.increment();
                        } else {
                            failed.increment();
                        }
                    });
                } catch (RuntimeException error) { // no metadata within max.block.ms: Kafka is unreachable
                    failed.increment();
                }
            }
        }
    }
}
