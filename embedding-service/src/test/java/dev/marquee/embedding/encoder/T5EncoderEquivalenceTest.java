package dev.marquee.embedding.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * DJL (TorchScript + Rust tokenizer) must reproduce the embeddings Hugging Face computed in eager PyTorch for the
 * committed tiny T5 (models/tiny-t5/reference.json, written by tools/t5/export_t5.py --references).
 */
class T5EncoderEquivalenceTest {
    private static final Path MODEL = Path.of("..", "models", "tiny-t5");
    private static final double TOLERANCE = 1e-4;
    private static T5Encoder encoder;
    private static List<String> sentences;
    private static List<float[]> expected;
    private static JsonNode reference;

    @BeforeAll
    static void load() throws Exception {
        encoder = T5Encoder.load(MODEL, "cpu");
        reference = JsonMapper.builder().build().readTree(MODEL.resolve("reference.json").toFile());
        sentences = new ArrayList<>();
        expected = new ArrayList<>();
        reference.get("sentences").forEach(s -> sentences.add(s.asString()));
        reference.get("embeddings").forEach(e -> {
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) e.get(i).asDouble();
            }
            expected.add(v);
        });
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    @Test
    void batchedEncodingWithPaddingMatchesHuggingFaceReference() {
        float[][] actual = encoder.encode(sentences);
        assertThat(actual.length).isEqualTo(expected.size());
        for (int i = 0; i < actual.length; i++) {
            assertThat(maxAbsDiff(actual[i], expected.get(i))).as(sentences.get(i)).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void oneByOneEncodingMatchesTheBatchedReference() {
        for (int i = 0; i < sentences.size(); i++) {
            float[] actual = encoder.encode(List.of(sentences.get(i)))[0];
            assertThat(maxAbsDiff(actual, expected.get(i))).as(sentences.get(i)).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void inputLongerThanMaxLengthIsTruncatedLikeHuggingFace() {
        int last = sentences.size() - 1;
        int maxLength = reference.get("maxLength").asInt();
        assertThat(reference.get("tokenCounts").get(last).asInt()).isEqualTo(maxLength);
        assertThat(encoder.maxLength()).isEqualTo(maxLength);
        float[] longer = encoder.encode(List.of(sentences.get(last) + " " + sentences.get(last)))[0];
        assertThat(maxAbsDiff(longer, expected.get(last))).isLessThanOrEqualTo(TOLERANCE);
    }

    @Test
    void vectorsAreUnitLengthWithTheModelsDimension() {
        for (float[] v : encoder.encode(List.of("hiking boots", "espresso grinder", "a"))) {
            assertThat(v).hasSize(encoder.dimension());
            assertThat(Vectors.norm(v)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void concurrentCallsEachGetTheirOwnTextsVectors() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> futures = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < sentences.size(); i++) {
                    List<String> texts = List.of(sentences.get(i), sentences.get((i + round) % sentences.size()));
                    futures.add(pool.submit(() -> encoder.encode(texts)));
                }
            }
            int k = 0;
            for (int round = 0; round < 8; round++) {
                for (int i = 0; i < sentences.size(); i++) {
                    float[][] actual = futures.get(k++).get(60, TimeUnit.SECONDS);
                    assertThat(maxAbsDiff(actual[0], expected.get(i))).isLessThanOrEqualTo(TOLERANCE);
                    assertThat(maxAbsDiff(actual[1], expected.get((i + round) % sentences.size())))
                            .isLessThanOrEqualTo(TOLERANCE);
                }
            }
        } finally {
            pool.shutdownNow();
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
