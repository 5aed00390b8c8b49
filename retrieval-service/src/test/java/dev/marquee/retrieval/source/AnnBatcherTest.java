package dev.marquee.retrieval.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnnBatcherTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ExecutorService callers = Executors.newCachedThreadPool();
    /** One entry per search sent: its filter and the first component of each of its vectors. */
    private final List<String> searches = Collections.synchronizedList(new ArrayList<>());
    private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hold;

    @AfterEach
    void stop() {
        pool.shutdownNow();
        callers.shutdownNow();
    }

    /** Answers each vector v with topK hits named after v[0] ("7-0", "7-1", ...), scores falling. */
    private List<List<AnnBatcher.Hit>> search(List<float[]> vectors, int topK, String filter) {
        searches.add(filter + ":" + vectors.stream().map(v -> String.valueOf((int) v[0])).toList());
        if (hold) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        return vectors.stream().map(v -> IntStream.range(0, topK)
                .mapToObj(i -> new AnnBatcher.Hit((int) v[0] + "-" + i, 1f - i / 100f)).toList()).toList();
    }

    private AnnBatcher batcher(int maxBatch, int concurrency) {
        return new AnnBatcher(this::search, maxBatch, concurrency, pool, sizes::add);
    }

    private Future<List<AnnBatcher.Hit>> ask(AnnBatcher batcher, int id, int topK, String filter) {
        return callers.submit(() -> batcher.search(new float[] {id, 0.5f}, topK, filter));
    }

    /** Query 1 (unfiltered), sent and held in Milvus until {@link #release} opens. */
    private Future<List<AnnBatcher.Hit>> inFlight(AnnBatcher batcher, int topK) throws InterruptedException {
        hold = true;
        Future<List<AnnBatcher.Hit>> first = ask(batcher, 1, topK, "");
        while (searches.isEmpty()) {
            Thread.sleep(1);
        }
        return first;
    }

    private static void await(AnnBatcher batcher, String filter, int waiting) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (batcher.waiting(filter) < waiting && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(batcher.waiting(filter)).isEqualTo(waiting);
    }

    @Test
    void aQueryOnAnIdleBatcherIsSentAtOnceAlone() throws Exception {
        List<AnnBatcher.Hit> hits = batcher(32, 2).search(new float[] {7, 0}, 3, "");
        assertThat(hits).extracting(AnnBatcher.Hit::itemId).containsExactly("7-0", "7-1", "7-2");
        assertThat(searches).containsExactly(":[7]");
        assertThat(sizes).containsExactly(1);
    }

    @Test
    void queriesArrivingWhileSearchesAreInFlightGoTogetherAndEachGetsItsOwnHits() throws Exception {
        AnnBatcher batcher = batcher(32, 1);
        Future<List<AnnBatcher.Hit>> first = inFlight(batcher, 2);
        List<Future<List<AnnBatcher.Hit>>> waiting = new ArrayList<>();
        for (int id = 2; id <= 6; id++) {
            waiting.add(ask(batcher, id, id, "")); // topK differs per query: 2..6
        }
        await(batcher, "", 5);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).extracting(AnnBatcher.Hit::itemId).containsExactly("1-0", "1-1");
        for (int id = 2; id <= 6; id++) {
            List<AnnBatcher.Hit> hits = waiting.get(id - 2).get(10, TimeUnit.SECONDS);
            String own = id + "-";
            assertThat(hits).hasSize(id); // its own topK, though the search asked for the batch's largest
            assertThat(hits).allMatch(h -> h.itemId().startsWith(own));
        }
        assertThat(searches).hasSize(2);
        String batch = searches.get(1); // the queries arrive from their own threads: in any order
        assertThat(batch).startsWith(":[").endsWith("]");
        assertThat(batch.substring(2, batch.length() - 1).split(", ")).containsExactlyInAnyOrder("2", "3", "4", "5",
                "6");
        assertThat(sizes).containsExactly(1, 5);
    }

    @Test
    void aBatchNeverExceedsItsMaximum() throws Exception {
        AnnBatcher batcher = batcher(2, 1);
        Future<List<AnnBatcher.Hit>> first = inFlight(batcher, 1);
        List<Future<List<AnnBatcher.Hit>>> rest = new ArrayList<>();
        for (int id = 2; id <= 6; id++) {
            rest.add(ask(batcher, id, 1, ""));
        }
        await(batcher, "", 5);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (Future<List<AnnBatcher.Hit>> f : rest) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(sizes).containsExactly(1, 2, 2, 1);
    }

    @Test
    void queriesWithDifferentFiltersAreNeverSearchedTogether() throws Exception {
        AnnBatcher batcher = batcher(32, 1);
        hold = true;
        Future<List<AnnBatcher.Hit>> a = ask(batcher, 1, 1, "category in [\"a\"]");
        Future<List<AnnBatcher.Hit>> b = ask(batcher, 2, 1, "category in [\"b\"]");
        while (searches.size() < 2) { // each filter has its own lane: both start at once
            Thread.sleep(1);
        }
        release.countDown();
        a.get(10, TimeUnit.SECONDS);
        b.get(10, TimeUnit.SECONDS);
        assertThat(searches).containsExactlyInAnyOrder("category in [\"a\"]:[1]", "category in [\"b\"]:[2]");
    }

    @Test
    void aFailedSearchFailsEveryQueryInItAndTheNextQueryIsSearchedAgain() throws Exception {
        List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
        AnnBatcher batcher = new AnnBatcher((vectors, topK, filter) -> {
            calls.add(vectors.size());
            if (calls.size() == 1) {
                throw new IllegalStateException("Milvus is down");
            }
            return search(vectors, topK, filter);
        }, 32, 1, pool, sizes::add);
        assertThatThrownBy(() -> batcher.search(new float[] {1}, 1, "")).hasMessage("Milvus is down");
        assertThat(batcher.search(new float[] {2}, 1, "")).extracting(AnnBatcher.Hit::itemId).containsExactly("2-0");
        assertThat(calls).containsExactly(1, 1);
    }

    @Test
    void withALingerQueriesSubmittedOneByOneGoToMilvusAsOneSearch() throws Exception {
        AnnBatcher batcher = new AnnBatcher(this::search, 32, 1, Duration.ofMillis(300), pool, sizes::add);
        List<CompletableFuture<List<AnnBatcher.Hit>>> refreshes = new ArrayList<>();
        for (int id = 1; id <= 4; id++) {
            refreshes.add(batcher.submit(new float[] {id, 0.5f}, 2, "")); // nobody waits: they return at once
        }
        assertThat(searches).isEmpty();
        assertThat(batcher.waiting("")).isEqualTo(4);
        for (int id = 1; id <= 4; id++) {
            assertThat(refreshes.get(id - 1).get(10, TimeUnit.SECONDS)).extracting(AnnBatcher.Hit::itemId)
                    .containsExactly(id + "-0", id + "-1");
        }
        assertThat(searches).containsExactly(":[1, 2, 3, 4]");
        assertThat(sizes).containsExactly(4);
    }
}
