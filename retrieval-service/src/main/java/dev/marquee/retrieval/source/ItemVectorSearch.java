package dev.marquee.retrieval.source;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.milvus.FilterExpression;
import dev.marquee.common.milvus.MilvusConnection;
import dev.marquee.common.milvus.ItemCollectionSchema;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.stereotype.Component;

/**
 * Milvus ANN over the item collection (cosine). Category filters are applied inside Milvus, in an expression whose
 * values can only be validated literals ({@link FilterExpression}); excluded ids (what the user has seen, what the
 * caller excluded) are dropped here from a search that asks for that many more, so that queries of different users
 * share one expression and concurrent ones go to Milvus as one search ({@link AnnBatcher}). Answers are kept under the
 * exact query (vector, n, exclusions, filters): a user's taste vector and seen items change with each of their events,
 * so their next query after a click is a new one and goes to Milvus on the request path; only a repeated identical
 * query is answered from memory ({@link AnnAnswers}): after {@code marquee.retrieval.ann-cache-ttl} it is searched
 * again in the background while the answer in memory is served, never past {@code ann-cache-max-age}. Items added to
 * the catalog meanwhile appear with the refresh; while the catalog has not changed ({@link CatalogVersion}), an answer
 * is kept without a search up to {@code ann-cache-max-age}. A refresh starts after a random part of
 * {@code ann-refresh-spread},
 * so that answers cached together are not refreshed together. Refreshes have their own {@link AnnBatcher}: one search
 * at a time, each sent {@code ann-refresh-linger} after the first refresh it carries, with every refresh due meanwhile.
 */
@Component
public class ItemVectorSearch {
    /** Milvus' largest topK. */
    private static final int MAX_TOP_K = 16_384;
    private final MilvusConnection milvus;
    private final RetrievalProperties props;
    private final AnnAnswers<Query, List<Candidate>> cache;
    private final ExecutorService searches = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ann-search");
        t.setDaemon(true);
        return t;
    });
    /** The searches of the request path. */
    private final AnnBatcher batcher;
    /** The background refreshes' searches. */
    private final AnnBatcher refreshes;

    ItemVectorSearch(MilvusConnection milvus, RetrievalProperties props, MeterRegistry meters,
                     CatalogVersion catalog) {
        this.milvus = milvus;
        this.props = props;
        this.cache = props.annCacheTtl().isZero() ? null : new AnnAnswers<>(props.annCacheTtl(),
                props.annCacheMaxAge(), props.annRefreshSpread(), props.annCacheSize(), searches, System::nanoTime,
                catalog, this::search, this::refresh);
        DistributionSummary batchSizes = DistributionSummary.builder(Metrics.ANN_BATCH)
                .description("query vectors per Milvus search").register(meters);
        this.batcher = new AnnBatcher(this::milvusSearch, props.annBatchMax(), props.annBatchConcurrency(), searches,
                batchSizes::record);
        this.refreshes = new AnnBatcher(this::milvusSearch, props.annBatchMax(), 1, props.annRefreshLinger(),
                searches, batchSizes::record);
    }

    @PreDestroy
    void shutdown() {
        searches.shutdownNow();
    }

    /**
     * One ANN query, compared by value (the vector's contents included), and how Milvus is asked it: one filter
     * expression per category filter, as many more hits as items excluded, the excluded ones dropped from the answer.
     */
    private record Query(ByteBuffer vector, int n, Set<String> exclude, RecommendFilters filters, String source,
                         String reason) {
        static Query of(float[] vector, int n, Set<String> exclude, RecommendFilters filters, String source,
                        String reason) {
            ByteBuffer key = ByteBuffer.allocate(vector.length * Float.BYTES);
            key.asFloatBuffer().put(vector);
            return new Query(key, n, Set.copyOf(exclude), filters, source, reason);
        }

        float[] normalized() {
            float[] out = new float[vector.capacity() / Float.BYTES];
            vector.asFloatBuffer().get(out);
            return Vectors.normalized(out);
        }

        int topK() {
            return Math.min(MAX_TOP_K, n + exclude.size());
        }

        String filter() {
            return FilterExpression.where()
                    .categoryIn(ItemCollectionSchema.CATEGORY, filters.includeCategories())
                    .categoryNotIn(ItemCollectionSchema.CATEGORY, filters.excludeCategories())
                    .build();
        }

        /** The first {@code n} hits not excluded, as candidates of the query's source. */
        List<Candidate> candidates(List<AnnBatcher.Hit> hits) {
            List<Candidate> out = new ArrayList<>(n);
            for (AnnBatcher.Hit hit : hits) {
                if (out.size() == n) {
                    break;
                }
                if (!exclude.contains(hit.itemId())) {
                    out.add(new Candidate(hit.itemId(), hit.score(), source, reason));
                }
            }
            return List.copyOf(out);
        }
    }

    /** Up to {@code n} items nearest to {@code vector}, none in {@code exclude}, as candidates of {@code source}. */
    public List<Candidate> nearest(float[] vector, int n, Set<String> exclude, String source, String reason) {
        return nearest(vector, n, exclude, RecommendFilters.NONE, source, reason);
    }

    /** {@link #nearest(float[], int, Set, String, String)} within the filters' categories. */
    public List<Candidate> nearest(float[] vector, int n, Set<String> exclude, RecommendFilters filters,
                                   String source, String reason) {
        Query query = Query.of(vector, n, exclude, filters, source, reason);
        return cache == null ? search(query) : cache.get(query);
    }

    /**
     * {@link #nearest(float[], int, Set, RecommendFilters, String, String)}'s answer when it is in memory, else
     * {@code null} without a Milvus search.
     */
    public List<Candidate> nearestIfCached(float[] vector, int n, Set<String> exclude, RecommendFilters filters,
                                           String source, String reason) {
        return cache == null ? null : cache.getIfPresent(Query.of(vector, n, exclude, filters, source, reason));
    }

    /** The query searched on the request path's lane; the caller waits. */
    private List<Candidate> search(Query q) {
        try {
            return q.candidates(batcher.search(q.normalized(), q.topK(), q.filter()));
        } catch (InterruptedException e) { // the source's budget ran out
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Milvus", e);
        }
    }

    /**
     * The {@code topK} items nearest to each vector (normalised here), in one Milvus search on the caller's thread:
     * for work off the request path ({@link AnnLists}).
     */
    List<List<AnnBatcher.Hit>> nearestOfEach(List<float[]> vectors, int topK) {
        return milvusSearch(vectors.stream().map(Vectors::normalized).toList(), Math.min(MAX_TOP_K, topK), "");
    }

    /** A cached query's new answer, searched with the other refreshes due about now. */
    private CompletableFuture<List<Candidate>> refresh(Query q) {
        return refreshes.submit(q.normalized(), q.topK(), q.filter()).thenApply(q::candidates);
    }

    /** One Milvus search of several vectors; ef at least topK. */
    private List<List<AnnBatcher.Hit>> milvusSearch(List<float[]> vectors, int topK, String filter) {
        SearchReq.SearchReqBuilder req = SearchReq.builder()
                .collectionName(props.collection())
                .annsField(ItemCollectionSchema.VECTOR)
                .data(vectors.stream().<BaseVector>map(FloatVec::new).toList())
                .topK(topK)
                // bounded staleness: never wait for the newest writes (Strong waits for the next time tick)
                .consistencyLevel(ConsistencyLevel.BOUNDED)
                .searchParams(Map.of("ef", Math.max(props.annEf(), topK)));
        if (!filter.isEmpty()) {
            req.filter(filter);
        }
        SearchResp resp = milvus.client().search(req.build());
        List<List<AnnBatcher.Hit>> out = new ArrayList<>(vectors.size());
        for (List<SearchResp.SearchResult> results : resp.getSearchResults()) {
            List<AnnBatcher.Hit> hits = new ArrayList<>(results.size());
            for (SearchResp.SearchResult hit : results) {
                hits.add(new AnnBatcher.Hit(String.valueOf(hit.getId()), hit.getScore()));
            }
            out.add(hits);
        }
        return out;
    }
}
