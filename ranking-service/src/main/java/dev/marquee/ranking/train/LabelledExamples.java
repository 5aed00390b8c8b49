package dev.marquee.ranking.train;

import dev.marquee.common.Topics;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.ranking.config.RankingProperties;
import java.util.ArrayList;
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
 * The labelled examples the stream consumer joins from impressions and clicks ({@link Topics#EXAMPLES}), kept in
 * memory for the trainer: the newest {@code maxLabelledExamples}, de-duplicated by example id (delivery is
 * at-least-once). Read from the start of the topic at every start, so a restarted service has its window again
 * (the topic's retention bounds how far back it goes).
 */
@Component
public class LabelledExamples implements ConsumerSeekAware {
    private static final Logger log = LoggerFactory.getLogger(LabelledExamples.class);
    private final JsonMapper json;
    private final int max;
    private final Map<String, LabelledExample> window;

    LabelledExamples(JsonMapper json, RankingProperties props) {
        this.json = json;
        this.max = props.trainer().maxLabelledExamples();
        this.window = new LinkedHashMap<>(16, 0.75f, false);
    }

    @Override
    public void onPartitionsAssigned(Map<TopicPartition, Long> assignments, ConsumerSeekCallback callback) {
        callback.seekToBeginning(assignments.keySet());
    }

    @KafkaListener(id = "labelled-examples", topics = Topics.EXAMPLES, batch = "true")
    void onExamples(List<ConsumerRecord<String, String>> records) {
        for (ConsumerRecord<String, String> r : records) {
            try {
                add(json.readValue(r.value(), LabelledExample.class));
            } catch (JacksonException e) {
                log.warn("unreadable labelled example at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.getMessage());
            }
        }
    }

    synchronized void add(LabelledExample x) {
        window.remove(x.exampleId());
        window.put(x.exampleId(), x);
        while (window.size() > max) {
            window.remove(window.keySet().iterator().next());
        }
    }

    /** A copy of the window, oldest first. */
    public synchronized List<LabelledExample> snapshot() {
        return new ArrayList<>(window.values());
    }
}
