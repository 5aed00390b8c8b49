package dev.marquee.gateway.recommend;

import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.web.ItemNotFoundException;
import dev.marquee.gateway.config.GatewayProperties;
import dev.marquee.gateway.recommend.RecommendResponse.RecommendedItem;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The non-personal lists: popular and trending (from the feature store's decayed sorted sets, overall or per
 * category) and items like one item (retrieval's {@code /similar}, falling back to co-visitation read from Redis).
 * Inactive items are left out. Always an answer; a dependency outage sets {@code degraded}.
 */
@Component
public class ItemLists {
    /** Which decayed ranking a popularity list reads. */
    public enum Window { POPULAR, TRENDING }

    private final RestClient retrieval;
    private final FeatureStore store;
    private final TimeLimiter limiter;
    private final ExecutorService calls = Executors.newCachedThreadPool();

    ItemLists(@Qualifier("retrievalClient") RestClient retrieval, FeatureStore store, GatewayProperties props) {
        this.retrieval = retrieval;
        this.store = store;
        this.limiter = TimeLimiter.of("similar", TimeLimiterConfig.custom()
                .timeoutDuration(props.retrievalTimeout()).cancelRunningFuture(true).build());
    }

    @PreDestroy
    void shutdown() {
        calls.shutdownNow();
    }

    public ItemListResponse popular(Window window, String category, int k) {
        String list = window.name().toLowerCase(java.util.Locale.ROOT);
        try {
            // over-fetch a little: inactive items are dropped after the read
            int n = k * 2;
            Map<String, Double> ranked = window == Window.POPULAR
                    ? (category == null ? store.popular(n) : store.popular(category, n))
                    : (category == null ? store.trending(n) : store.trending(category, n));
            List<Candidate> candidates = new ArrayList<>();
            String reason = capitalised(list) + (category == null ? " right now" : " in " + category);
            ranked.forEach((id, score) -> candidates.add(new Candidate(id, score, capitalised(list), reason)));
            return new ItemListResponse(list, category, null, describe(candidates, k), false, List.of());
        } catch (RuntimeException e) {
            return new ItemListResponse(list, category, null, List.of(), true,
                    List.of("feature store unavailable (" + e.getClass().getSimpleName() + ")"));
        }
    }

    public ItemListResponse similar(String itemId, int k) {
        try {
            SimilarResponse r = limiter.executeFutureSupplier(() -> calls.submit(() -> retrieval.get()
                    .uri(u -> u.path("/similar/{itemId}").queryParam("n", k * 2).build(itemId))
                    .retrieve()
                    .onStatus(HttpStatusCode::is4xxClientError, (req, res) -> {
                        throw new ItemNotFoundException(itemId);
                    })
                    .body(SimilarResponse.class)));
            if (r == null) {
                throw new IllegalStateException("empty body");
            }
            return new ItemListResponse("similar", null, itemId, describe(r.candidates(), k), r.degraded(),
                    r.reasons());
        } catch (ItemNotFoundException e) {
            throw e;
        } catch (Exception e) {
            if (e.getCause() instanceof ItemNotFoundException notFound) {
                throw notFound;
            }
            return coVisitedOnly(itemId, k, "retrieval unavailable (" + e.getClass().getSimpleName()
                    + "): serving co-visited items only");
        }
    }

    private ItemListResponse coVisitedOnly(String itemId, int k, String reason) {
        try {
            if (store.items(List.of(itemId)).isEmpty()) {
                throw new ItemNotFoundException(itemId);
            }
            List<Candidate> candidates = new ArrayList<>();
            store.coVisited(itemId, k * 2).forEach((id, n) -> candidates.add(
                    new Candidate(id, n, "CoVisited", "Often viewed together")));
            return new ItemListResponse("similar", null, itemId, describe(candidates, k), true, List.of(reason));
        } catch (ItemNotFoundException e) {
            throw e;
        } catch (RuntimeException e) {
            return new ItemListResponse("similar", null, itemId, List.of(), true,
                    List.of(reason, "feature store unavailable (" + e.getClass().getSimpleName() + ")"));
        }
    }

    /** Active items in the given order, with titles and categories, at most {@code k}. */
    private List<RecommendedItem> describe(List<Candidate> candidates, int k) {
        Map<String, ItemFeatures> features = store.items(candidates.stream().map(Candidate::itemId).toList());
        List<RecommendedItem> out = new ArrayList<>();
        for (Candidate c : candidates) {
            ItemFeatures f = features.get(c.itemId());
            if (out.size() == k || (f != null && !f.active())) {
                continue;
            }
            out.add(new RecommendedItem(out.size() + 1, c.itemId(), c.score(), c.source(),
                    f == null ? null : f.title(), f == null ? null : f.category(), c.reason()));
        }
        return out;
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
