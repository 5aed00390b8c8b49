package dev.marquee.embedding.web;

import dev.marquee.common.Ids;
import dev.marquee.common.milvus.MilvusConnection;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.web.InvalidInputException;
import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.catalog.Reindexer;
import dev.marquee.embedding.encoder.EncodeBatcher;
import dev.marquee.embedding.encoder.T5Encoder;
import dev.marquee.embedding.milvus.ItemIndex;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
class EmbeddingController {
    private final T5Encoder encoder;
    private final EncodeBatcher batcher;
    private final EmbeddingProperties props;
    private final StringRedisTemplate redis;
    private final ItemIndex index;
    private final Reindexer reindexer;

    EmbeddingController(T5Encoder encoder, EncodeBatcher batcher, EmbeddingProperties props,
                        StringRedisTemplate redis, ItemIndex index, Reindexer reindexer) {
        this.encoder = encoder;
        this.batcher = batcher;
        this.props = props;
        this.redis = redis;
        this.index = index;
        this.reindexer = reindexer;
    }

    record Collections(String alias, String current, String building, Reindexer.Status reindex) {
    }

    record EmbedRequest(@NotEmpty List<String> texts) {
    }

    record EmbedResponse(String model, int dimension, List<float[]> vectors) {
    }

    /**
     * @param items      items whose features and vector are in the feature store
     * @param searchable rows searches of the served Milvus collection see, or -1 when Milvus does not answer
     */
    record Status(String model, String device, int dimension, String collection, long items, long searchable) {
    }

    record ItemStatus(String itemId, String model) {
    }

    @Operation(summary = "Embed texts (queries, stated interests) with the item encoder")
    @PostMapping("/embed")
    EmbedResponse embed(@Valid @RequestBody EmbedRequest request) {
        if (request.texts().size() > props.maxEmbedTexts()) {
            throw new InvalidInputException("texts", "at most " + props.maxEmbedTexts() + " texts per call");
        }
        for (int i = 0; i < request.texts().size(); i++) {
            String t = request.texts().get(i);
            if (t == null || t.isBlank() || t.length() > props.maxTextLength()) {
                throw new InvalidInputException("texts[" + i + "]",
                        "must be non-blank and at most " + props.maxTextLength() + " characters");
            }
        }
        return new EmbedResponse(encoder.modelId(), encoder.dimension(), List.of(batcher.tryEncode(request.texts())));
    }

    @Operation(summary = "The alias retrieval searches, the collection behind it, and any re-embedding in progress")
    @GetMapping("/collections")
    Collections collections() {
        return new Collections(index.alias(), index.currentCollection(), index.nextCollection().orElse(null),
                reindexer.status());
    }

    @Operation(summary = "Re-embed the whole catalog into a new collection, then swap the alias (search continues)")
    @PostMapping("/collections/reindex")
    ResponseEntity<Reindexer.Status> reindex() {
        return ResponseEntity.accepted().body(reindexer.start());
    }

    @ExceptionHandler(RejectedExecutionException.class)
    ResponseEntity<ProblemDetail> busy(RejectedExecutionException e) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS, e.getMessage());
        pd.setTitle("Encoder busy");
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS).header("Retry-After", "1").body(pd);
    }

    /** Milvus not connected (yet): the index's endpoints answer 503, the others work on. */
    @ExceptionHandler(MilvusConnection.MilvusUnavailableException.class)
    ResponseEntity<ProblemDetail> milvusUnavailable(MilvusConnection.MilvusUnavailableException e) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
        pd.setTitle("Milvus unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5").body(pd);
    }

    @Operation(summary = "Model, device and how many items are embedded")
    @GetMapping("/status")
    Status status() {
        Long n = redis.opsForSet().size(RedisKeys.ALL_ITEMS);
        long searchable;
        try {
            searchable = index.servedCount();
        } catch (RuntimeException e) {
            searchable = -1;
        }
        return new Status(encoder.modelId(), encoder.device(), encoder.dimension(), props.collection(),
                n == null ? 0 : n, searchable);
    }

    @Operation(summary = "Whether an item is embedded (404 until it is)")
    @GetMapping("/items/{itemId}")
    ResponseEntity<ItemStatus> item(@PathVariable @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId) {
        Object model = redis.opsForHash().get(RedisKeys.item(itemId), RedisKeys.ITEM_MODEL);
        return model == null ? ResponseEntity.notFound().build()
                : ResponseEntity.ok(new ItemStatus(itemId, model.toString()));
    }
}
