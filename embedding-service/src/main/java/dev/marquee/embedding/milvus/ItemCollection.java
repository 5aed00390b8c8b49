package dev.marquee.embedding.milvus;

import com.google.gson.JsonObject;
import dev.marquee.common.milvus.ItemCollectionSchema;
import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.encoder.T5Encoder;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The Milvus collection of item vectors: created on first start with an explicit HNSW/COSINE index, then upserted
 * into by item id.
 */
@Component
public class ItemCollection {
    private static final Logger log = LoggerFactory.getLogger(ItemCollection.class);
    private final MilvusClientV2 milvus;
    private final String name;
    private final int dimension;

    @Autowired
    ItemCollection(MilvusClientV2 milvus, EmbeddingProperties props, T5Encoder encoder) {
        this(milvus, props.collection(), encoder.dimension());
    }

    public ItemCollection(MilvusClientV2 milvus, String name, int dimension) {
        this.milvus = milvus;
        this.name = name;
        this.dimension = dimension;
        ensureExists();
    }

    public record Row(String itemId, float[] vector, String category, double price) {
    }

    public String name() {
        return name;
    }

    private void ensureExists() {
        if (Boolean.TRUE.equals(milvus.hasCollection(HasCollectionReq.builder().collectionName(name).build()))) {
            milvus.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
            log.info("Milvus collection {} exists, loaded", name);
            return;
        }
        CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().build();
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.ITEM_ID).dataType(DataType.VarChar)
                .maxLength(ItemCollectionSchema.ID_MAX_LENGTH).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.VECTOR).dataType(DataType.FloatVector)
                .dimension(dimension).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.CATEGORY).dataType(DataType.VarChar)
                .maxLength(ItemCollectionSchema.CATEGORY_MAX_LENGTH).build());
        schema.addField(AddFieldReq.builder().fieldName(ItemCollectionSchema.PRICE).dataType(DataType.Float).build());
        IndexParam index = IndexParam.builder().fieldName(ItemCollectionSchema.VECTOR)
                .indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.COSINE)
                .extraParams(Map.of("M", 16, "efConstruction", 200)).build();
        milvus.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema)
                .indexParams(List.of(index)).build());
        log.info("created Milvus collection {} (dim {}, HNSW, COSINE)", name, dimension);
    }

    public void upsert(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        List<JsonObject> data = rows.stream().map(r -> {
            JsonObject o = new JsonObject();
            o.addProperty(ItemCollectionSchema.ITEM_ID, r.itemId());
            com.google.gson.JsonArray v = new com.google.gson.JsonArray(r.vector().length);
            for (float x : r.vector()) {
                v.add(x);
            }
            o.add(ItemCollectionSchema.VECTOR, v);
            o.addProperty(ItemCollectionSchema.CATEGORY, r.category());
            o.addProperty(ItemCollectionSchema.PRICE, (float) r.price());
            return o;
        }).toList();
        milvus.upsert(UpsertReq.builder().collectionName(name).data(data).build());
    }
}
