package dev.marquee.embedding.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Batching logic only; the encoder is a function that records its batch sizes and echoes text lengths. */
class EncodeBatcherTest {
    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private final Function<List<String>, float[][]> echo = texts -> {
        batchSizes.add(texts.size());
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[] {texts.get(i).length()};
        }
        return out;
    };

    @Test
    void concurrentRequestsShareForwardPassesAndGetTheirOwnResultsBack() throws Exception {
        try (EncodeBatcher batcher = new EncodeBatcher(echo, 16, Duration.ofMillis(50), 100)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<float[][]>> results = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                String text = "x".repeat(r + 1);
                results.add(pool.submit(() -> batcher.encode(List.of(text, text + "y"))));
            }
            for (int r = 0; r < 8; r++) {
                float[][] v = results.get(r).get();
                assertThat(v[0][0]).isEqualTo(r + 1);
                assertThat(v[1][0]).isEqualTo(r + 2);
            }
            pool.shutdown();
        }
        assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(16);
        assertThat(batchSizes.size()).isLessThan(8);
    }

    @Test
    void requestLargerThanTheBatchLimitIsSplitIntoSeveralPasses() {
        try (EncodeBatcher batcher = new EncodeBatcher(echo, 4, Duration.ofMillis(1), 10)) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                texts.add("t".repeat(i + 1));
            }
            float[][] v = batcher.encode(texts);
            assertThat(v).hasNumberOfRows(10);
            assertThat(v[9][0]).isEqualTo(10f);
        }
        assertThat(batchSizes).containsExactly(4, 4, 2);
    }

    @Test
    void fullQueueRefusesInsteadOfWaitingWithoutBound() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Function<List<String>, float[][]> slow = texts -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new float[texts.size()][1];
        };
        try (EncodeBatcher batcher = new EncodeBatcher(slow, 1, Duration.ZERO, 1)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            pool.submit(() -> batcher.encode(List.of("a")));   // taken by the worker, blocks in the encoder
            Thread.sleep(200);
            pool.submit(() -> batcher.encode(List.of("b")));   // fills the queue
            Thread.sleep(200);
            assertThatThrownBy(() -> batcher.tryEncode(List.of("c"))).isInstanceOf(RejectedExecutionException.class);
            release.countDown();
            pool.shutdown();
        }
    }
}
