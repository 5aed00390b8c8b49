package dev.marquee.embedding.milvus;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.marquee.common.milvus.ItemCollectionSchema;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.response.QueryResp;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One physical Milvus collection of item vectors (item id primary key, vector, category, price, model, created_at),
 * created with an explicit HNSW index on COSINE and loaded. Searches go through the alias {@link ItemIndex} manages.
 */
public class ItemCollection {
    private static final Logger log = LoggerFactory.getLogger(ItemCollection.class);
    private final MilvusClientV2 milvus;
    private final String name;
    private final int dimension;

    public record Row(String itemId, float[] vector, String category, double price) {
    }

    /** Opens the collection, creating it (schema, index, load) if it does not exist. */
    public ItemCollection(MilvusClientV2 milvus, String name, int dimension) {
        this.milvus = milvus;
        this.name = name;
        this.dimension = dimension;
        if (Boolean.TRUE.equals(milvus.hasCollection(HasCollectionReq.builder().collectionName(name).build()))) {
            milvus.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
        } else {
            create();
        }
    }

    public String name() {
        return name;
    }

    public int dimension() {
        return dimension;
    }

    private void create() {
        CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().build();
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.ITEM_ID).dataType(DataType.VarChar)
                .maxLength(ItemCollectionSchema.ID_MAX_LENGTH).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.VECTOR).dataType(DataType.FloatVector)
                .dimension(dimension).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.CATEGORY).dataType(DataType.VarChar)
                .maxLength(ItemCollectionSchema.CATEGORY_MAX_LENGTH).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.PRICE).dataType(DataType.Float).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.MODEL).dataType(DataType.VarChar)
                .maxLength(256).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.CREATED_AT).dataType(DataType.Int64)
                .build());
        IndexParam index = IndexParam.builder().fieldName(ItemCollectionSchema.VECTOR)
                .indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.COSINE)
                .extraParams(Map.of("M", 16, "efConstruction", 200)).build();
        milvus.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
                .indexParams(List.of(index)).build());
        log.info("created Milvus collection {} (dim {}, HNSW M=16 efConstruction=200, COSINE)", name, dimension);
    }

    public void upsert(List<Row> rows, String model) {
        if (rows.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<JsonObject> data = rows.stream().map(r -> {
            JsonObject o = new JsonObject();
            o.addProperty(ItemCollectionSchema.ITEM_ID, r.itemId());
            JsonArray v = new JsonArray(r.vector().length);
            for (float x : r.vector()) {
                v.add(x);
            }
            o.add(ItemCollectionSchema.VECTOR, v);
            o.addProperty(ItemCollectionSchema.CATEGORY, r.category());
            o.addProperty(ItemCollectionSchema.PRICE, (float) r.price());
            o.addProperty(ItemCollectionSchema.MODEL, model);
            o.addProperty(ItemCollectionSchema.CREATED_AT, now);
            return o;
        }).toList();
        milvus.upsert(UpsertReq.builder().collectionName(name).data(data).build());
    }

    /** Rows a search with the default (bounded) consistency sees now. */
    public long visibleCount() {
        QueryResp r = milvus.query(QueryReq.builder().collectionName(name).filter("")
                .outputFields(List.of("count(*)")).build());
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    /** Waits until searches see at least {@code rows} rows, so that an alias can be moved here without a gap. */
    public void awaitVisible(long rows, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen;
        while ((seen = visibleCount()) < rows) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " shows " + seen + " of " + rows + " rows after " + timeout);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public void drop() {
        milvus.dropCollection(DropCollectionReq.builder().collectionName(name).build());
        log.info("dropped Milvus collection {}", name);
    }
}
