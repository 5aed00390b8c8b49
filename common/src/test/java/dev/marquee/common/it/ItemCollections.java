package dev.marquee.common.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.marquee.common.milvus.FilterExpression;
import dev.marquee.common.milvus.ItemCollectionSchema;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.QueryReq;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Item collections of a test's own in the real Milvus: the fields retrieval searches, an HNSW cosine index. */
public final class ItemCollections {
    private ItemCollections() {
    }

    /** Drops {@code name} if it exists and creates it empty, vectors of {@code dim} dimensions. */
    public static void createEmpty(MilvusClientV2 milvus, String name, int dim) {
        milvus.dropCollection(DropCollectionReq.builder().collectionName(name).build());
        CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().build();
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.ITEM_ID).dataType(DataType.VarChar)
                .maxLength(ItemCollectionSchema.ID_MAX_LENGTH).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.VECTOR).dataType(DataType.FloatVector)
                .dimension(dim).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.CATEGORY).dataType(DataType.VarChar)
                .maxLength(ItemCollectionSchema.CATEGORY_MAX_LENGTH).build());
        milvus.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
                .indexParams(List.of(IndexParam.builder().fieldName(ItemCollectionSchema.VECTOR)
                        .indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.COSINE)
                        .extraParams(Map.of("M", 16, "efConstruction", 64)).build()))
                .build());
    }

    /** One row to insert: the item, its vector and category. */
    public static JsonObject row(String itemId, float[] vector, String category) {
        JsonObject row = new JsonObject();
        row.addProperty(ItemCollectionSchema.ITEM_ID, itemId);
        JsonArray v = new JsonArray();
        for (float x : vector) {
            v.add(x);
        }
        row.add(ItemCollectionSchema.VECTOR, v);
        row.addProperty(ItemCollectionSchema.CATEGORY, category);
        return row;
    }

    /**
     * Waits up to {@code within} until every one of {@code ids} is found in {@code collection} (or the alias), read
     * with strong consistency; a collection that does not exist yet counts as none found. Returns how many were.
     */
    public static long awaitSearchable(MilvusClientV2 milvus, String collection, List<String> ids, Duration within)
            throws InterruptedException {
        String filter = ItemCollectionSchema.ITEM_ID + " in ["
                + ids.stream().map(FilterExpression::literal).collect(Collectors.joining(",")) + "]";
        Instant deadline = Instant.now().plus(within);
        long found = 0;
        while (found < ids.size() && Instant.now().isBefore(deadline)) {
            try {
                found = milvus.query(QueryReq.builder().collectionName(collection).filter(filter)
                        .outputFields(List.of(ItemCollectionSchema.ITEM_ID))
                        .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults().size();
            } catch (RuntimeException notCreatedYet) {
                found = 0;
            }
            if (found < ids.size()) {
                Thread.sleep(250);
            }
        }
        return found;
    }
}
