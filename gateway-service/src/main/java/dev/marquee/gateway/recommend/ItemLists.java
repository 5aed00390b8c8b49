package dev.marquee.gateway.recommend;

import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.serving.Retrieval;
import dev.marquee.common.web.ItemNotFoundException;
import dev.marquee.gateway.recommend.RecommendResponse.RecommendedItem;
import dev.marquee.gateway.serving.StepBudgets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The non-personal lists: popular and trending (from the feature store's decayed sorted sets, overall or per
 * category) and items like one item (the {@link Retrieval} API's similar items, in this JVM or over HTTP, under the
 * {@code SIMILAR} budget; falling back to co-visitation read from Redis).
 * Inactive items are left out. Always an answer; a dependency outage sets {@code degraded}.
 */
@Component
public class ItemLists {
    /** Which decayed ranking a popularity list reads. */
    public enum Window { POPULAR, TRENDING }

    private final Retrieval retrieval;
    private final StepBudgets budgets;
    private final FeatureStore store;

    ItemLists(Retrieval retrieval, StepBudgets budgets, FeatureStore store) {
        this.retrieval = retrieval;
        this.budgets = budgets;
        this.store = store;
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
        Optional<SimilarResponse> found;
        try {
            found = budgets.within(StepBudgets.Step.SIMILAR, () -> retrieval.similar(itemId, k * 2));
        } catch (Exception e) {
            return coVisitedOnly(itemId, k, "retrieval unavailable (" + e.getClass().getSimpleName()
                    + "): serving co-visited items only");
        }
        SimilarResponse r = found.orElseThrow(() -> new ItemNotFoundException(itemId));
        return new ItemListResponse("similar", null, itemId, describe(r.candidates(), k), r.degraded(), r.reasons());
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
