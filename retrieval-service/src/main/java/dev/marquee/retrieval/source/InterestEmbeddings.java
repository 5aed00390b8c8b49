package dev.marquee.retrieval.source;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.marquee.retrieval.config.RetrievalProperties;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Stated interests as T5 vectors, from the embedding service's {@code /embed} (the item encoder, so that they land in
 * the items' space). Recent texts are cached: onboarding screens offer the same few phrases to many users.
 */
@Component
public class InterestEmbeddings {
    private final RestClient embedding;
    private final Cache<String, float[]> cache;

    InterestEmbeddings(@Qualifier("embeddingClient") RestClient embedding, RetrievalProperties props) {
        this.embedding = embedding;
        this.cache = Caffeine.newBuilder().maximumSize(props.interestCacheSize()).build();
    }

    record EmbedResponse(String model, int dimension, List<float[]> vectors) {
    }

    /** The vector of the text if it was embedded lately, else {@code null}; never calls the embedding service. */
    public float[] cachedVector(String interests) {
        return cache.getIfPresent(key(interests));
    }

    private static String key(String interests) {
        return interests.strip().toLowerCase(Locale.ROOT);
    }

    /** The vector of the text (case and surrounding space ignored); throws when the embedding service fails. */
    public float[] vector(String interests) {
        return cache.get(key(interests), text -> {
            EmbedResponse r = embedding.post().uri("/embed").body(Map.of("texts", List.of(text)))
                    .retrieve().body(EmbedResponse.class);
            if (r == null || r.vectors() == null || r.vectors().size() != 1) {
                throw new IllegalStateException("embedding service returned no vector");
            }
            return r.vectors().get(0);
        });
    }
}
