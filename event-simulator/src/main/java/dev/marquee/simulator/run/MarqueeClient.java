package dev.marquee.simulator.run;

import dev.marquee.common.access.ApiKeys;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The public APIs the simulator drives: ingest (catalog, events), embedding status, ranking training, gateway
 * recommendations. It talks only to the base URLs it is given.
 */
public class MarqueeClient {
    private static final int BATCH = 500;
    private final RestClient ingest;
    private final RestClient embedding;
    private final RestClient ranking;
    private final RestClient gateway;

    /** @param apiKey sent in {@link ApiKeys#HEADER} with every request, or blank for none */
    public MarqueeClient(String ingestUrl, String embeddingUrl, String rankingUrl, String gatewayUrl, String apiKey) {
        this.ingest = client(ingestUrl, Duration.ofSeconds(120), apiKey);
        this.embedding = client(embeddingUrl, Duration.ofSeconds(30), apiKey);
        this.ranking = client(rankingUrl, Duration.ofSeconds(120), apiKey);
        this.gateway = client(gatewayUrl, Duration.ofSeconds(10), apiKey);
    }

    private static RestClient client(String baseUrl, Duration readTimeout, String apiKey) {
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build());
        factory.setReadTimeout(readTimeout);
        RestClient.Builder builder = RestClient.builder().baseUrl(baseUrl).requestFactory(factory);
        if (apiKey != null && !apiKey.isBlank()) {
            builder.defaultHeader(ApiKeys.HEADER, apiKey);
        }
        return builder.build();
    }

    public void sendItems(List<CatalogItem> items) {
        for (int from = 0; from < items.size(); from += BATCH) {
            ingest.post().uri("/items/batch")
                    .body(Map.of("items", items.subList(from, Math.min(items.size(), from + BATCH))))
                    .retrieve().toBodilessEntity();
        }
    }

    /** Posts the events in order, in batches of at most {@value #BATCH}. */
    public void sendEvents(List<InteractionEvent> events) {
        for (int from = 0; from < events.size(); from += BATCH) {
            ingest.post().uri("/events/batch")
                    .body(Map.of("events", events.subList(from, Math.min(events.size(), from + BATCH))))
                    .retrieve().toBodilessEntity();
        }
    }

    /** {@code GET /recommend?userId=&k=} on the gateway. */
    public Recommendation recommend(String userId, int k) {
        return gateway.get().uri(b -> b.path("/recommend").queryParam("userId", userId).queryParam("k", k).build())
                .retrieve().body(Recommendation.class);
    }

    /** Items embedded so far, according to the embedding service. */
    public long embeddedItems() {
        Map<?, ?> status = embedding.get().uri("/status").retrieve().body(Map.class);
        return status == null ? 0 : ((Number) status.get("items")).longValue();
    }

    public boolean isEmbedded(String itemId) {
        return embedding.get().uri("/items/{id}", itemId).exchange((req, res) -> res.getStatusCode().is2xxSuccessful());
    }

    /** Events the feature store has counted for the user (0 for a user it does not know). */
    public long eventCount(String userId) {
        Map<?, ?> features = ingest.get().uri("/users/{id}/features", userId).retrieve().body(Map.class);
        return features == null ? 0 : ((Number) features.get("eventCount")).longValue();
    }

    /** Asks ranking to train now; returns its outcome as a map. */
    public Map<?, ?> train() {
        return ranking.post().uri("/models/train").retrieve().body(Map.class);
    }
}
