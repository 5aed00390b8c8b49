package dev.marquee.common.milvus;

/** Names in the Milvus item collection, shared by the writer (embedding) and the reader (retrieval). */
public final class ItemCollectionSchema {
    /** Default alias searched by retrieval; embedding points it at the current versioned collection. */
    public static final String DEFAULT_COLLECTION = "marquee_items";
    public static final String ITEM_ID = "item_id";
    public static final String VECTOR = "vector";
    public static final String CATEGORY = "category";
    public static final String PRICE = "price";
    /** Encoder model id that made the vector. */
    public static final String MODEL = "model";
    /** Epoch milliseconds when the vector was written. */
    public static final String CREATED_AT = "created_at";
    public static final int ID_MAX_LENGTH = 64;
    /** In bytes, as Milvus counts: a category is at most 64 characters of up to 4 UTF-8 bytes each. */
    public static final int CATEGORY_MAX_LENGTH = 256;

    private ItemCollectionSchema() {
    }
}
