package dev.marquee.retrieval.source;

import dev.marquee.common.feature.Vectors;
import dev.marquee.common.milvus.FilterExpression;
import dev.marquee.common.milvus.ItemCollectionSchema;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/** Milvus ANN over the item collection (cosine); excluded ids are filtered inside Milvus with a safe expression. */
@Component
public class ItemVectorSearch {
    private final MilvusClientV2 milvus;
    private final RetrievalProperties props;

    ItemVectorSearch(MilvusClientV2 milvus, RetrievalProperties props) {
        this.milvus = milvus;
        this.props = props;
    }

    /** Up to {@code n} items nearest to {@code vector}, none in {@code exclude}, as candidates of {@code source}. */
    public List<Candidate> nearest(float[] vector, int n, Set<String> exclude, String source, String reason) {
        SearchReq.SearchReqBuilder req = SearchReq.builder()
                .collectionName(props.collection())
                .annsField(ItemCollectionSchema.VECTOR)
                .data(List.of(new FloatVec(Vectors.normalized(vector))))
                .topK(n)
                // bounded staleness: never wait for the newest writes (Strong waits for the next time tick)
                .consistencyLevel(ConsistencyLevel.BOUNDED)
                .searchParams(Map.of("ef", Math.max(props.annEf(), n)));
        String filter = FilterExpression.notIn(ItemCollectionSchema.ITEM_ID, exclude);
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
        return out;
    }
}
