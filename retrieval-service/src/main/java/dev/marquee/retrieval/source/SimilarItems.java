package dev.marquee.retrieval.source;

import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.stereotype.Component;

/**
 * Item-to-item: the items whose T5 vectors are nearest to this one's ("SimilarText", Milvus) and the items most often
 * seen in the same sessions ("CoVisited"), interleaved. The Milvus search has the ANN budget and fails open.
 */
@Component
public class SimilarItems {
    private final FeatureStore store;
    private final ItemVectorSearch search;
    private final TimeLimiter annLimiter;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    SimilarItems(FeatureStore store, ItemVectorSearch search, RetrievalProperties props) {
        this.store = store;
        this.search = search;
        this.annLimiter = TimeLimiter.of("similar-ann", TimeLimiterConfig.custom()
                .timeoutDuration(props.annBudget()).cancelRunningFuture(true).build());
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
        timer.shutdownNow();
    }

    /** Items like {@code itemId}, or empty when the item is unknown to the catalog. */
    public Optional<SimilarResponse> similar(String itemId, int n) {
        ItemFeatures item = store.items(List.of(itemId)).get(itemId);
        if (item == null) {
            return Optional.empty();
        }
        List<String> reasons = new ArrayList<>();
        List<Candidate> byText = List.of();
        if (item.vector() != null) {
            try {
                byText = annLimiter.executeCompletionStage(timer, () -> CompletableFuture.supplyAsync(
                        () -> search.nearest(item.vector(), n, Set.of(itemId), "SimilarText",
                                "Similar to " + (item.title() == null ? itemId : item.title())), executor))
                        .toCompletableFuture().join();
            } catch (RuntimeException e) {
                reasons.add("SimilarText unavailable: " + e.getCause());
            }
        }
        List<Candidate> coVisited = new ArrayList<>();
        for (Map.Entry<String, Double> e : store.coVisited(itemId, n).entrySet()) {
            coVisited.add(new Candidate(e.getKey(), e.getValue(), "CoVisited", "Often viewed together"));
        }
        List<Candidate> merged = CandidateRetriever.interleave(List.of(coVisited, byText), n);
        return Optional.of(new SimilarResponse(itemId, merged, !reasons.isEmpty(), reasons));
    }
}
