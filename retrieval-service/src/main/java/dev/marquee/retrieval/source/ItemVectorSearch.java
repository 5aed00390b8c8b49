package dev.marquee.retrieval.source;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.marquee.common.feature.Vectors;
import dev.marquee.common.milvus.FilterExpression;
import dev.marquee.common.milvus.ItemCollectionSchema;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Milvus ANN over the item collection (cosine). Excluded ids and the category filters are applied inside Milvus, in an
 * expression whose values can only be validated literals ({@link FilterExpression}). Answers are kept for
 * {@code marquee.retrieval.ann-cache-ttl} under the exact query (vector, n, exclusions, filters): a user's taste vector
 * and seen items change with each of their events, so their next query after a click is a new one and goes to Milvus;
 * only a repeated identical query is answered from memory (items added to the catalog meanwhile appear after the TTL).
 */
@Component
public class ItemVectorSearch {
    private final MilvusClientV2 milvus;
    private final RetrievalProperties props;
    private final Cache<Query, List<Candidate>> cache;

    ItemVectorSearch(MilvusClientV2 milvus, RetrievalProperties props) {
        this.milvus = milvus;
        this.props = props;
        this.cache = props.annCacheTtl().isZero() ? null : Caffeine.newBuilder()
                .expireAfterWrite(props.annCacheTtl()).maximumSize(props.annCacheSize()).build();
    }

    /** One ANN query, compared by value (the vector's contents included). */
    private record Query(ByteBuffer vector, int n, Set<String> exclude, RecommendFilters filters, String source,
                         String reason) {
    }

    /** Up to {@code n} items nearest to {@code vector}, none in {@code exclude}, as candidates of {@code source}. */
    public List<Candidate> nearest(float[] vector, int n, Set<String> exclude, String source, String reason) {
        return nearest(vector, n, exclude, RecommendFilters.NONE, source, reason);
    }

    /** {@link #nearest(float[], int, Set, String, String)} within the filters' categories. */
    public List<Candidate> nearest(float[] vector, int n, Set<String> exclude, RecommendFilters filters,
                                   String source, String reason) {
        if (cache == null) {
            return search(vector, n, exclude, filters, source, reason);
        }
        ByteBuffer key = ByteBuffer.allocate(vector.length * Float.BYTES);
        key.asFloatBuffer().put(vector);
        return cache.get(new Query(key, n, Set.copyOf(exclude), filters, source, reason),
                q -> search(vector, n, exclude, filters, source, reason));
    }

    private List<Candidate> search(float[] vector, int n, Set<String> exclude, RecommendFilters filters,
                                   String source, String reason) {
        SearchReq.SearchReqBuilder req = SearchReq.builder()
                .collectionName(props.collection())
                .annsField(ItemCollectionSchema.VECTOR)
                .data(List.of(new FloatVec(Vectors.normalized(vector))))
                .topK(n)
                // bounded staleness: never wait for the newest writes (Strong waits for the next time tick)
                .consistencyLevel(ConsistencyLevel.BOUNDED)
                .searchParams(Map.of("ef", Math.max(props.annEf(), n)));
        String filter = FilterExpression.where()
                .idNotIn(ItemCollectionSchema.ITEM_ID, exclude)
                .categoryIn(ItemCollectionSchema.CATEGORY, filters.includeCategories())
                .categoryNotIn(ItemCollectionSchema.CATEGORY, filters.excludeCategories())
                .build();
        if (!filter.isEmpty()) {
            req.filter(filter);
        }
        SearchResp resp = milvus.search(req.build());
        List<Candidate> out = new ArrayList<>();
        for (List<SearchResp.SearchResult> hits : resp.getSearchResults()) {
            for (SearchResp.SearchResult hit : hits) {
                out.add(new Candidate(String.valueOf(hit.getId()), hit.getScore(), source, reason));
            }
        }
        return List.copyOf(out);
    }
}
