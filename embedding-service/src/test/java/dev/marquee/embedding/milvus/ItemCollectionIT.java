package dev.marquee.embedding.milvus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.Vectors;
import dev.marquee.common.milvus.FilterExpression;
import dev.marquee.common.milvus.ItemCollectionSchema;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.NeedsInfrastructure;

/** Against the real Milvus server that {@code ./marquee test} starts. */
@NeedsInfrastructure
class ItemCollectionIT {
    private static final int DIM = 16;
    private MilvusClientV2 milvus;
    private String name;

    @BeforeEach
    void connect() {
        milvus = new MilvusClientV2(ConnectConfig.builder().uri(System.getenv("MILVUS_URI")).build());
        name = "test_items_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @AfterEach
    void drop() {
        milvus.dropCollection(DropCollectionReq.builder().collectionName(name).build());
        milvus.close();
    }

    @Test
    void upsertedVectorsAreFoundByNearestNeighbourSearchWithSeenItemsFilteredOut() {
        ItemCollection collection = new ItemCollection(milvus, name, DIM);
        Random random = new Random(3);
        List<ItemCollection.Row> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = (float) random.nextGaussian();
            }
            rows.add(new ItemCollection.Row("item-" + i, Vectors.normalized(v), i % 2 == 0 ? "even" : "odd", i));
        }
        collection.upsert(rows, "test-model");

        float[] query = rows.get(42).vector();
        List<SearchResp.SearchResult> hits = search(query, "");
        assertThat(hits.get(0).getId()).isEqualTo("item-42");
        assertThat((double) hits.get(0).getScore()).isGreaterThan(0.999);
        assertThat(hits.get(0).getEntity()).containsEntry(ItemCollectionSchema.CATEGORY, "even")
                .containsEntry(ItemCollectionSchema.MODEL, "test-model");

        List<SearchResp.SearchResult> unseen = search(query,
                FilterExpression.notIn(ItemCollectionSchema.ITEM_ID, List.of("item-42")));
        assertThat(unseen).extracting(SearchResp.SearchResult::getId).doesNotContain("item-42");
        assertThat(unseen.get(0).getId()).isEqualTo(hits.get(1).getId());
    }

    @Test
    void upsertReplacesAnItemInsteadOfDuplicatingIt() {
        ItemCollection collection = new ItemCollection(milvus, name, DIM);
        float[] a = new float[DIM];
        a[0] = 1;
        float[] b = new float[DIM];
        b[1] = 1;
        collection.upsert(List.of(new ItemCollection.Row("x", a, "c", 1)), "m1");
        collection.upsert(List.of(new ItemCollection.Row("x", b, "c", 1)), "m2");

        List<SearchResp.SearchResult> hits = search(b, "");
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).getEntity()).containsEntry(ItemCollectionSchema.MODEL, "m2");
        assertThat((double) hits.get(0).getScore()).isGreaterThan(0.999);
    }

    private List<SearchResp.SearchResult> search(float[] query, String filter) {
        SearchReq.SearchReqBuilder req = SearchReq.builder().collectionName(name)
                .annsField(ItemCollectionSchema.VECTOR).data(List.of(new FloatVec(query))).topK(5)
                .outputFields(List.of(ItemCollectionSchema.CATEGORY, ItemCollectionSchema.MODEL))
                .consistencyLevel(ConsistencyLevel.STRONG);
        if (!filter.isEmpty()) {
            req.filter(filter);
        }
        return milvus.search(req.build()).getSearchResults().get(0);
    }
}
