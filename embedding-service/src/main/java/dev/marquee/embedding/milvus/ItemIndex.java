package dev.marquee.embedding.milvus;

import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.common.milvus.MilvusConnection;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.DataType;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.utility.request.AlterAliasReq;
import io.milvus.v2.service.utility.request.CreateAliasReq;
import io.milvus.v2.service.utility.request.DescribeAliasReq;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The searchable item index: an alias (what retrieval searches) pointing at one versioned collection. A new model
 * version is built in a second collection while the alias keeps serving the current one; live upserts go to both;
 * {@link #commitNext} moves the alias in one Milvus call and drops the old collection {@code retireAfter} later:
 * a search that resolved the alias just before the move still finds the collection it was sent to (Milvus' proxies
 * learn of the move asynchronously). Search never stops and never mixes models.
 */
@Component
public class ItemIndex {
    private static final Logger log = LoggerFactory.getLogger(ItemIndex.class);
    private static final DateTimeFormatter VERSION = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");
    private final Supplier<MilvusClientV2> milvus;
    private final String alias;
    private final int dimension;
    /** The served collection; null until the index is opened (Milvus answered). */
    private volatile ItemCollection current;
    private volatile ItemCollection next;
    private final Duration retireAfter;
    /** Drops replaced collections once their grace has passed. */
    private final ScheduledExecutorService retirer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retire-collections");
        t.setDaemon(true);
        return t;
    });

    /**
     * The service's index: Milvus connected in the background ({@link MilvusConnection}), the index opened when first
     * used after that, so the service starts (and {@code /embed} answers) while Milvus does not; until it answers,
     * writes fail with {@link MilvusConnection.MilvusUnavailableException} and the catalog consumer retries them.
     */
    @Autowired
    ItemIndex(MilvusConnection milvus, EmbeddingProperties props, T5Encoder encoder) {
        this(milvus::client, props.collection(), encoder.dimension(), props.retiredCollectionGrace());
        // a Milvus that answers is connected within this: the index is open before the catalog consumer starts
        // (it replays the catalog when the served collection is empty, see CatalogListener)
        milvus.awaitConnected(props.milvusConnectTimeout());
        try {
            current();
        } catch (RuntimeException e) {
            log.warn("item index {} not opened yet ({}): it opens when Milvus answers", alias, e.getMessage());
        }
    }

    /** An index on a connected client, opened at once (see {@link #open}). */
    public ItemIndex(MilvusClientV2 milvus, String alias, int dimension, Duration retireAfter) {
        this(() -> milvus, alias, dimension, retireAfter);
        current();
    }

    private ItemIndex(Supplier<MilvusClientV2> milvus, String alias, int dimension, Duration retireAfter) {
        this.milvus = milvus;
        this.retireAfter = retireAfter;
        this.alias = alias;
        this.dimension = dimension;
    }

    /** The served collection, opening the index first if it is not open yet. */
    private ItemCollection current() {
        ItemCollection c = current;
        if (c == null) {
            synchronized (this) {
                c = current;
                if (c == null) {
                    c = open(milvus.get());
                    current = c;
                }
            }
        }
        return c;
    }

    /**
     * Opens the index behind {@code alias}; creates a first versioned collection and the alias when there is none.
     * An existing collection of another dimension (made by another model) keeps serving until a re-embedding
     * replaces it; until then live upserts go nowhere but the next version. A collection the alias no longer points
     * at is dropped {@code retireAfter} after the move (zero: at once).
     */
    private ItemCollection open(MilvusClientV2 client) {
        Optional<String> target = aliasTarget(client);
        if (target.isPresent()) {
            int existing = dimensionOf(client, target.get());
            log.info("alias {} -> {} (dim {})", alias, target.get(), existing);
            if (existing != dimension) {
                log.warn("collection {} has dimension {} but the encoder makes {}: re-embed the catalog "
                        + "(POST /collections/reindex)", target.get(), existing, dimension);
            }
            return new ItemCollection(client, target.get(), existing);
        }
        if (Boolean.TRUE.equals(client.hasCollection(HasCollectionReq.builder().collectionName(alias).build()))) {
            throw new IllegalStateException("a collection named " + alias + " exists: the index needs that name "
                    + "for its alias; drop or rename the collection");
        }
        ItemCollection created = new ItemCollection(client, versionName(), dimension);
        client.createAlias(CreateAliasReq.builder().alias(alias).collectionName(created.name()).build());
        log.info("created alias {} -> {}", alias, created.name());
        return created;
    }

    public String alias() {
        return alias;
    }

    public String currentCollection() {
        return current().name();
    }

    /** Rows searches of the served collection see now. */
    public long servedCount() {
        return current().visibleCount();
    }

    public Optional<String> nextCollection() {
        ItemCollection n = next;
        return n == null ? Optional.empty() : Optional.of(n.name());
    }

    /** Upserts into the served collection (if it has the encoder's dimension) and into the version being built. */
    public void upsert(List<ItemCollection.Row> rows, String model) {
        ItemCollection c = current();
        if (c.dimension() == dimension) {
            c.upsert(rows, model);
        }
        ItemCollection n = next;
        if (n != null) {
            n.upsert(rows, model);
        }
    }

    /** Starts a new version: an empty collection that receives live upserts and the re-embedded catalog. */
    public synchronized ItemCollection beginNext() {
        if (next != null) {
            throw new IllegalStateException("a re-embedding into " + next.name() + " is already running");
        }
        current(); // the index is open before a new version is built beside it
        next = new ItemCollection(milvus.get(), versionName(), dimension);
        return next;
    }

    /** Drops the replaced collections whose grace has not passed yet, now. */
    @PreDestroy
    public void close() {
        retirer.shutdownNow().forEach(Runnable::run);
    }

    /** Points the alias at the new version and drops the old collection after {@code retireAfter}. */
    public synchronized void commitNext() {
        ItemCollection n = next;
        if (n == null) {
            throw new IllegalStateException("no re-embedding in progress");
        }
        ItemCollection old = current();
        milvus.get().alterAlias(AlterAliasReq.builder().alias(alias).collectionName(n.name()).build());
        current = n;
        next = null;
        log.info("alias {} now -> {} (was {}, dropped in {})", alias, n.name(), old.name(), retireAfter);
        if (retireAfter.isZero()) {
            old.drop();
        } else {
            retirer.schedule(() -> dropQuietly(old), retireAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void dropQuietly(ItemCollection retired) {
        try {
            retired.drop();
        } catch (RuntimeException e) { // Milvus down: the collection stays, unsearched; logged for the operator
            log.warn("could not drop replaced collection {}: {}", retired.name(), e.toString());
        }
    }

    /** Gives up a version being built. */
    public synchronized void abortNext() {
        ItemCollection n = next;
        next = null;
        if (n != null) {
            n.drop();
        }
    }

    private Optional<String> aliasTarget(MilvusClientV2 client) {
        try {
            return Optional.ofNullable(client.describeAlias(DescribeAliasReq.builder().alias(alias).build())
                    .getCollectionName());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private int dimensionOf(MilvusClientV2 client, String collection) {
        DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder()
                .collectionName(collection).build());
        return d.getCollectionSchema().getFieldSchemaList().stream()
                .filter(f -> f.getDataType() == DataType.FloatVector)
                .map(f -> f.getDimension())
                .findFirst().orElseThrow(() -> new IllegalStateException(collection + " has no vector field"));
    }

    private String versionName() {
        return alias + "_" + VERSION.format(ZonedDateTime.now(ZoneOffset.UTC)) + "_"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    }
}
