package dev.marquee.ranking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.Topics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.LabelledExample;
import dev.marquee.common.feature.UserState;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.ranking.train.ExampleBuilder;
import dev.marquee.ranking.train.LabelledExamples;
import dev.marquee.ranking.train.ModelTrainer;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
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
 * The trainer learns from labelled examples read from {@link Topics#EXAMPLES} on the real Kafka, with features from
 * the real Redis: users click items of their own category far more often, and the model must find that.
 */
@SpringBootTest(properties = {"marquee.ranking.trainer.min-labelled-examples=200",
        "marquee.ranking.model-dir=target/labelled-training-models"})
@NeedsInfrastructure
class LabelledTrainingIT {
    private static final int USERS = 40;
    private static final int ITEMS = 40;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Autowired
    KafkaTemplate<String, String> kafka;
    @Autowired
    StringRedisTemplate redis;
    @Autowired
    JsonMapper json;
    @Autowired
    LabelledExamples examples;
    @Autowired
    ModelTrainer trainer;

    @Test
    void trainerLearnsFromLabelledExamplesWithATimeBasedSplitAndReportsNdcg() throws Exception {
        Random random = new Random(5);
        for (int i = 0; i < ITEMS; i++) {
            float[] v = new float[8];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            String key = RedisKeys.item(item(i));
            redis.opsForHash().putAll(key, Map.of(RedisKeys.ITEM_CATEGORY, category(i), RedisKeys.ITEM_TITLE, "t" + i,
                    RedisKeys.ITEM_PRICE, "10"));
            redis.execute((RedisCallback<Object>) c -> c.hashCommands().hSet(FeatureStore.bytes(key),
                    FeatureStore.bytes(RedisKeys.ITEM_VECTOR), Vectors.toBytes(Vectors.normalized(v))));
        }
        for (int u = 0; u < USERS; u++) {
            UserState state = UserState.empty();
            state.addCategory(1.0, category(u), 5.0, 16);
            state.addCategory(1.0, category(u + 1), 1.0, 16);
            String userKey = RedisKeys.user(user(u));
            redis.execute((RedisCallback<Object>) c -> {
                c.stringCommands().set(FeatureStore.bytes(userKey), state.toBytes());
                return null;
            });
        }
        // the newest examples in the topic (10 ms apart, from now on), so that the time-based split validates on this
        // test's own: other integration tests on the same Kafka leave examples too (ServedFeaturesParityIT's, when it
        // runs first), and validating on those says nothing of what this test trained
        Instant t = Instant.now();
        int sent = 0;
        for (int u = 0; u < USERS; u++) {
            for (int p = 0; p < 10; p++) {
                int i = random.nextInt(ITEMS);
                boolean own = category(i).equals(category(u));
                int label = random.nextDouble() < (own ? 0.7 : 0.05) ? 1 : 0;
                String request = "req-" + run + "-" + u + "-" + (p / 5);
                LabelledExample x = new LabelledExample(LabelledExample.id(request, item(i) + "-" + p), user(u),
                        item(i), request, p % 5, "control", t.plusMillis(10L * sent), label,
                        label == 1 ? EventType.CLICK : null, t.plusMillis(10L * sent + 1000));
                kafka.send(Topics.EXAMPLES, user(u), json.writeValueAsString(x)).get();
                sent++;
            }
        }
        // newer than all of them, for an item without features (never in the catalog): left out, before the split
        int unusable = 200;
        for (int n = 0; n < unusable; n++) {
            String request = "req-" + run + "-gone-" + n;
            LabelledExample x = new LabelledExample(LabelledExample.id(request, "gone"), user(n % USERS),
                    "lt-" + run + "-gone", request, 0, "control", t.plusSeconds(5).plusMillis(10L * n), 0, null,
                    t.plusSeconds(6).plusMillis(10L * n));
            kafka.send(Topics.EXAMPLES, user(n % USERS), json.writeValueAsString(x)).get();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (examples.snapshot().stream().filter(x -> x.requestId().contains(run)).count() < sent + unusable
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }

        ModelTrainer.Outcome outcome = trainer.trainAndMaybePromote();

        assertThat(outcome.source()).isEqualTo(ExampleBuilder.LABELLED);
        assertThat(outcome.examples() + outcome.validationExamples()).isGreaterThanOrEqualTo(sent);
        // the newest fifth of the usable examples validates, whatever came later without features
        assertThat(outcome.validationExamples()).as(outcome.toString()).isGreaterThanOrEqualTo(sent / 10);
        assertThat(outcome.auc()).as(outcome.toString()).isGreaterThan(0.75);
        assertThat(outcome.ndcg()).as(outcome.toString()).isBetween(0.5, 1.0);
    }

    private String user(int u) {
        return "lt-" + run + "-u" + u;
    }

    private String item(int i) {
        return "lt-" + run + "-i" + i;
    }

    private static String category(int n) {
        return "c" + (n % 4);
    }
}
