package dev.marquee.embedding.encoder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micro-batching in front of the encoder, shared by the catalog consumer and {@code /embed}: one worker takes the
 * oldest request, then gathers more until {@code maxBatchSize} texts or {@code maxWait} have passed, and runs them as
 * one forward pass. The queue is bounded: {@link #encode} blocks when it is full (back-pressure for the consumer),
 * {@link #tryEncode} refuses at once (an HTTP caller gets 429 instead of an unbounded wait).
 */
public final class EncodeBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EncodeBatcher.class);
    private final Function<List<String>, float[][]> encoder;
    private final int maxBatchSize;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue;
    private final Thread worker;
    private volatile boolean running = true;

    private record Job(List<String> texts, CompletableFuture<float[][]> result) {
    }

    public EncodeBatcher(Function<List<String>, float[][]> encoder, int maxBatchSize, java.time.Duration maxWait,
                         int queueCapacity) {
        this.encoder = encoder;
        this.maxBatchSize = maxBatchSize;
        this.maxWaitNanos = maxWait.toNanos();
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.worker = new Thread(this::run, "encode-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Encodes the texts in the next batches; blocks while the queue is full. */
    public float[][] encode(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        Job job = new Job(texts, new CompletableFuture<>());
        try {
            queue.put(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the encoder queue", e);
        }
        return join(job);
    }

    /** Like {@link #encode}, but refuses with {@link RejectedExecutionException} when the queue is full. */
    public float[][] tryEncode(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        Job job = new Job(texts, new CompletableFuture<>());
        if (!queue.offer(job)) {
            throw new RejectedExecutionException("encoder queue is full (" + queue.size() + " requests waiting)");
        }
        return join(job);
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    private static float[][] join(Job job) {
        try {
            return job.result().join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    private void run() {
        List<Job> jobs = new ArrayList<>();
        while (running) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                jobs.add(first);
                int texts = first.texts().size();
                long deadline = System.nanoTime() + maxWaitNanos;
                while (texts < maxBatchSize) {
                    long left = deadline - System.nanoTime();
                    Job next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    jobs.add(next);
                    texts += next.texts().size();
                }
                runBatch(jobs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("encoder batch failed", e);
                jobs.forEach(j -> j.result().completeExceptionally(e));
            } finally {
                jobs.clear();
            }
        }
    }

    private void runBatch(List<Job> jobs) {
        List<String> all = new ArrayList<>();
        jobs.forEach(j -> all.addAll(j.texts()));
        float[][] vectors = new float[all.size()][];
        for (int from = 0; from < all.size(); from += maxBatchSize) {
            int to = Math.min(all.size(), from + maxBatchSize);
            float[][] part = encoder.apply(all.subList(from, to));
            System.arraycopy(part, 0, vectors, from, part.length);
        }
        int offset = 0;
        for (Job j : jobs) {
            float[][] mine = new float[j.texts().size()][];
            System.arraycopy(vectors, offset, mine, 0, mine.length);
            offset += mine.length;
            j.result().complete(mine);
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        Job pending;
        while ((pending = queue.poll()) != null) {
            pending.result().completeExceptionally(new RejectedExecutionException("encoder is shutting down"));
        }
    }
}
