package dev.marquee.embedding.web;

import dev.marquee.common.Ids;
import dev.marquee.common.redis.RedisKeys;
import dev.marquee.common.web.InvalidInputException;
import dev.marquee.embedding.config.EmbeddingProperties;
import dev.marquee.embedding.encoder.T5Encoder;
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
    private final EmbeddingProperties props;
    private final StringRedisTemplate redis;

    EmbeddingController(T5Encoder encoder, EmbeddingProperties props, StringRedisTemplate redis) {
        this.encoder = encoder;
        this.props = props;
        this.redis = redis;
    }

    record EmbedRequest(@NotEmpty List<String> texts) {
    }

    record EmbedResponse(String model, int dimension, List<float[]> vectors) {
    }

    record Status(String model, String device, int dimension, String collection, long items) {
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
        return new EmbedResponse(encoder.modelId(), encoder.dimension(), List.of(encoder.encode(request.texts())));
    }

    @Operation(summary = "Model, device and how many items are embedded")
    @GetMapping("/status")
    Status status() {
        Long n = redis.opsForSet().size(RedisKeys.ALL_ITEMS);
        return new Status(encoder.modelId(), encoder.device(), encoder.dimension(), props.collection(),
                n == null ? 0 : n);
    }

    @Operation(summary = "Whether an item is embedded (404 until it is)")
    @GetMapping("/items/{itemId}")
    ResponseEntity<ItemStatus> item(@PathVariable @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId) {
        Object model = redis.opsForHash().get(RedisKeys.item(itemId), RedisKeys.ITEM_MODEL);
        return model == null ? ResponseEntity.notFound().build()
                : ResponseEntity.ok(new ItemStatus(itemId, model.toString()));
    }
}
