package dev.marquee.embedding.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sequence bucketing must return what one padded pass returns, text by text, in the caller's order. */
class T5EncoderBucketingTest {
    private static final Path MODEL = Path.of("..", "models", "tiny-t5");
    private static T5Encoder encoder;
    private static List<String> texts;

    @BeforeAll
    static void load() throws Exception {
        // overhead 0: every distinct length gets its own bucket, the most splitting the planner can do
        encoder = T5Encoder.load(MODEL, "cpu", new T5Encoder.Options(false, true, 0));
        Random random = new Random(3);
        String[] words = {"hiking", "tent", "espresso", "skillet", "guitar", "amplifier", "puzzle", "robot"};
        texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // 1 to 70 words: short texts, long ones, and some beyond the model's 48 tokens (truncated)
            int length = i % 5 == 0 ? 40 + random.nextInt(30) : 1 + random.nextInt(15);
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < length; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            texts.add(text.toString().trim());
        }
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void bucketedOutputEqualsOnePaddedPassInTheSameOrder() {
        float[][] padded = encoder.encode(texts, false);
        float[][] bucketed = encoder.encode(texts, true);
        assertThat(bucketed.length).isEqualTo(padded.length);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(maxAbsDiff(bucketed[i], padded[i])).as(texts.get(i)).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void eachBucketedVectorIsItsOwnTextsVector() {
        float[][] bucketed = encoder.encode(texts);
        for (int i = 0; i < texts.size(); i += 3) {
            float[] alone = encoder.encode(List.of(texts.get(i)), false)[0];
            assertThat(maxAbsDiff(bucketed[i], alone)).as(texts.get(i)).isLessThanOrEqualTo(1e-5);
            // and not a neighbour's: texts differ, so vectors differ by far more than the tolerance
            int other = (i + 1) % texts.size();
            assertThat(maxAbsDiff(bucketed[i], encoder.encode(List.of(texts.get(other)), false)[0]))
                    .isGreaterThan(1e-3);
        }
    }

    @Test
    void theTextsReallyAreSplitIntoSeveralBuckets() {
        int[] lengths = new int[texts.size()];
        // token counts as the encoder sees them: different lengths, so overhead 0 must give several buckets
        List<Integer> sorted = new ArrayList<>();
        for (String t : texts) {
            sorted.add(Math.min(48, t.split(" ").length + 1));
        }
        sorted.sort(Integer::compare);
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = sorted.get(i);
        }
        assertThat(T5Encoder.buckets(lengths, 0).length).isGreaterThan(3);
    }

    @Test
    void plannerCutsWhereThePaddingSavedOutweighsTheOverhead() {
        int[] lengths = {5, 5, 5, 5, 40, 40};
        // one pass: 6 × 40 + o; two passes: 4 × 5 + 2 × 40 + 2o → split when o < 140
        assertThat(T5Encoder.buckets(lengths, 100)).containsExactly(4, 6);
        assertThat(T5Encoder.buckets(lengths, 200)).containsExactly(6);
        assertThat(T5Encoder.buckets(new int[] {7, 7, 7}, 0)).containsExactly(3);
        assertThat(T5Encoder.buckets(new int[] {1, 2, 3}, 0)).containsExactly(1, 2, 3);
        assertThat(T5Encoder.buckets(new int[] {9}, 50)).containsExactly(1);
    }

    @Test
    void plannedCostIsNeverAboveOnePaddedPass() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(64);
            int[] lengths = random.ints(n, 1, 100).sorted().toArray();
            int overhead = random.nextInt(200);
            int[] ends = T5Encoder.buckets(lengths, overhead);
            assertThat(ends[ends.length - 1]).isEqualTo(n);
            long cost = 0;
            int from = 0;
            for (int end : ends) {
                assertThat(end).isGreaterThan(from);
                cost += (long) (end - from) * lengths[end - 1] + overhead;
                from = end;
            }
            assertThat(cost).isLessThanOrEqualTo((long) n * lengths[n - 1] + overhead);
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
