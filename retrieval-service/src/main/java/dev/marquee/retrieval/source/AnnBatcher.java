package dev.marquee.retrieval.source;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Sends concurrent ANN queries that share a filter expression to Milvus as one search with several query vectors.
 * A Milvus search costs ~4.5 ms of Milvus CPU however few vectors it carries, plus ~1.6 ms per vector (top 100 of
 * 10,000, 128 dimensions, measured on the 2-core box): one vector 6.3 ms, four 2.6–2.9 ms each, sixteen 1.9 ms each.
 *
 * <p>Batching costs no waiting: while fewer than {@code concurrency} searches of a filter are in flight, a query is
 * sent at once, alone; only the queries that arrive while that many are in flight wait, and the next search to finish
 * takes all of them (up to {@code maxBatch}) in one call. So an idle service answers as before, and a loaded one sends
 * fewer, larger searches, the more so the more it is loaded. Searches run on the given executor: a caller that stops
 * waiting (its source's time budget ran out) never cancels a search other callers share.
 *
 * <p>With a {@code linger} (for work nobody waits for: the background refreshes of {@link AnnAnswers}), the first
 * query of an idle lane is not sent at once but after that delay, with every query of its filter that came meanwhile:
 * refreshes trickling in one by one go to Milvus as a few larger searches instead of many single ones.
 */
final class AnnBatcher {
    /** One nearest item. */
    record Hit(String itemId, float score) {
    }

    /** One Milvus search: the hits of each vector, in the order of the vectors. */
    @FunctionalInterface
    interface Searcher {
        List<List<Hit>> search(List<float[]> vectors, int topK, String filter);
    }

    private record Pending(float[] vector, int topK, CompletableFuture<List<Hit>> result) {
    }

    /** The queries of one filter expression: those waiting, and how many searches are in flight. */
    private static final class Lane {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        int running;
    }

    private final Searcher searcher;
    private final int maxBatch;
    private final int concurrency;
    private final Executor executor;
    /** Where a lane's first search starts: {@code executor}, after the linger when there is one. */
    private final Executor firstSearch;
    private final IntConsumer batchSizes;
    /** Lanes with work, by filter expression; guarded by {@code this}. */
    private final Map<String, Lane> lanes = new HashMap<>();

    /**
     * @param maxBatch    most vectors in one search
     * @param concurrency most searches in flight per filter expression
     * @param batchSizes  told the number of vectors of every search sent
     */
    AnnBatcher(Searcher searcher, int maxBatch, int concurrency, Executor executor, IntConsumer batchSizes) {
        this(searcher, maxBatch, concurrency, Duration.ZERO, executor, batchSizes);
    }

    /**
     * @param linger how long the first query of an idle lane waits for others before its search is sent (zero: sent
     *               at once)
     */
    AnnBatcher(Searcher searcher, int maxBatch, int concurrency, Duration linger, Executor executor,
               IntConsumer batchSizes) {
        if (maxBatch < 1 || concurrency < 1 || linger.isNegative()) {
            throw new IllegalArgumentException("maxBatch and concurrency must be at least 1, linger not negative");
        }
        this.firstSearch = linger.isZero() ? executor
                : CompletableFuture.delayedExecutor(linger.toNanos(), TimeUnit.NANOSECONDS, executor);
        this.searcher = searcher;
        this.maxBatch = maxBatch;
        this.concurrency = concurrency;
        this.executor = executor;
        this.batchSizes = batchSizes;
    }

    /**
     * The {@code topK} items nearest to {@code vector} within {@code filter} (an empty string: no filter), searched
     * together with whatever other queries of the same filter are waiting.
     */
    List<Hit> search(float[] vector, int topK, String filter) throws InterruptedException {
        try {
            return submit(vector, topK, filter).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** {@link #search}, without waiting: the hits when the search that carries the query is answered. */
    CompletableFuture<List<Hit>> submit(float[] vector, int topK, String filter) {
        Pending query = new Pending(vector, topK, new CompletableFuture<>());
        boolean start;
        boolean first;
        synchronized (this) {
            Lane lane = lanes.computeIfAbsent(filter, f -> new Lane());
            lane.waiting.add(query);
            start = lane.running < concurrency;
            first = lane.running == 0;
            if (start) {
                lane.running++;
            }
        }
        if (start) {
            (first ? firstSearch : executor).execute(() -> drain(filter));
        }
        return query.result();
    }

    /** How many queries of {@code filter} wait for a search (not those in flight). */
    synchronized int waiting(String filter) {
        Lane lane = lanes.get(filter);
        return lane == null ? 0 : lane.waiting.size();
    }

    /** Searches the lane's waiting queries, a batch at a time, until none wait. */
    private void drain(String filter) {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (this) {
                Lane lane = lanes.get(filter);
                while (batch.size() < maxBatch && !lane.waiting.isEmpty()) {
                    batch.add(lane.waiting.poll());
                }
                if (batch.isEmpty()) {
                    if (--lane.running == 0) {
                        lanes.remove(filter);
                    }
                    return;
                }
            }
            send(batch, filter);
        }
    }

    private void send(List<Pending> batch, String filter) {
        try {
            int topK = batch.stream().mapToInt(Pending::topK).max().orElseThrow();
            List<List<Hit>> hits = searcher.search(batch.stream().map(Pending::vector).toList(), topK, filter);
            batchSizes.accept(batch.size());
            if (hits.size() != batch.size()) {
                throw new IllegalStateException("Milvus answered " + hits.size() + " result lists for "
                        + batch.size() + " query vectors");
            }
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                List<Hit> mine = hits.get(i);
                p.result().complete(mine.size() > p.topK() ? List.copyOf(mine.subList(0, p.topK())) : mine);
            }
        } catch (Throwable e) { // every caller is told, and the lane goes on
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }
}
