package dev.marquee.embedding.milvus;

import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.encoder.T5Encoder;
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
    private final MilvusClientV2 milvus;
    private final String alias;
    private final int dimension;
    private volatile ItemCollection current;
    private volatile ItemCollection next;
    private final Duration retireAfter;
    /** Drops replaced collections once their grace has passed. */
    private final ScheduledExecutorService retirer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retire-collections");
        t.setDaemon(true);
        return t;
    });

    @Autowired
    ItemIndex(MilvusClientV2 milvus, EmbeddingProperties props, T5Encoder encoder) {
        this(milvus, props.collection(), encoder.dimension(), props.retiredCollectionGrace());
    }

    /**
     * Opens the index behind {@code alias}; creates a first versioned collection and the alias when there is none.
     * An existing collection of another dimension (made by another model) keeps serving until a re-embedding
     * replaces it; until then live upserts go nowhere but the next version. A collection the alias no longer points
     * at is dropped {@code retireAfter} after the move (zero: at once).
     */
    public ItemIndex(MilvusClientV2 milvus, String alias, int dimension, Duration retireAfter) {
        this.milvus = milvus;
        this.retireAfter = retireAfter;
        this.alias = alias;
        this.dimension = dimension;
        Optional<String> target = aliasTarget();
        if (target.isPresent()) {
            int existing = dimensionOf(target.get());
            current = new ItemCollection(milvus, target.get(), existing);
            log.info("alias {} -> {} (dim {})", alias, target.get(), existing);
            if (existing != dimension) {
                log.warn("collection {} has dimension {} but the encoder makes {}: re-embed the catalog "
                        + "(POST /collections/reindex)", target.get(), existing, dimension);
            }
        } else {
            if (Boolean.TRUE.equals(milvus.hasCollection(HasCollectionReq.builder().collectionName(alias).build()))) {
                throw new IllegalStateException("a collection named " + alias + " exists: the index needs that name "
                        + "for its alias; drop or rename the collection");
            }
            current = new ItemCollection(milvus, versionName(), dimension);
            milvus.createAlias(CreateAliasReq.builder().alias(alias).collectionName(current.name()).build());
            log.info("created alias {} -> {}", alias, current.name());
        }
    }

    public String alias() {
        return alias;
    }

    public String currentCollection() {
        return current.name();
    }

    /** Rows searches of the served collection see now. */
    public long servedCount() {
        return current.visibleCount();
    }

    public Optional<String> nextCollection() {
        ItemCollection n = next;
        return n == null ? Optional.empty() : Optional.of(n.name());
    }

    /** Upserts into the served collection (if it has the encoder's dimension) and into the version being built. */
    public void upsert(List<ItemCollection.Row> rows, String model) {
        ItemCollection c = current;
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
        next = new ItemCollection(milvus, versionName(), dimension);
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
        ItemCollection old = current;
        milvus.alterAlias(AlterAliasReq.builder().alias(alias).collectionName(n.name()).build());
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

    private Optional<String> aliasTarget() {
        try {
            return Optional.ofNullable(milvus.describeAlias(DescribeAliasReq.builder().alias(alias).build())
                    .getCollectionName());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private int dimensionOf(String collection) {
        DescribeCollectionResp d = milvus.describeCollection(DescribeCollectionReq.builder()
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
