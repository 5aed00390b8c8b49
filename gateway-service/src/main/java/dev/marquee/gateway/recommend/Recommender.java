package dev.marquee.gateway.recommend;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.PopularList;
import dev.marquee.gateway.config.GatewayProperties;
import dev.marquee.gateway.recommend.RecommendResponse.RecommendedItem;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * /recommend: retrieval, then ranking ({@link ServingPath}: over HTTP or in this JVM), then the top k. Each stage has a
 * budget and a fallback: no ranking →
 * retrieval order; no retrieval → the popular list read from Redis; nothing at all → an empty list. The response is
 * always an answer, flagged {@code degraded} with the reasons when a fallback served it.
 */
@Component
public class Recommender {
    private static final Logger log = LoggerFactory.getLogger(Recommender.class);
    private final ServingPath serving;
    private final FeatureStore store;
    private final GatewayProperties props;
    private final MeterRegistry meters;
    private final ImpressionLog impressions;
    private final Experiments experiments;
    /** The overall popular list, from memory: the answer when retrieval is down and when load is shed. */
    private final PopularList popularList;
    /** Requests being worked on; past {@code max-in-flight} a request is shed to the popular list at once. */
    private final Semaphore inFlight;

    Recommender(ServingPath serving, FeatureStore store, GatewayProperties props, MeterRegistry meters,
                ImpressionLog impressions, Experiments experiments) {
        this.serving = serving;
        this.store = store;
        this.props = props;
        this.meters = meters;
        this.impressions = impressions;
        this.experiments = experiments;
        this.popularList = new PopularList(store, props.popularCacheTtl());
        this.inFlight = new Semaphore(props.maxInFlight());
    }

    /**
     * One /recommend. Past {@code max-in-flight} requests being worked on, retrieval and ranking are skipped: the
     * popular list (filters applied) at once, flagged degraded ("overloaded"), logged like any other answer.
     */
    public RecommendResponse recommend(RecommendRequest request) {
        long start = System.nanoTime();
        String userId = request.userId();
        int k = request.k();
        String requestId = UUID.randomUUID().toString();
        Experiments.Arm arm = experiments.armOf(userId);
        meters.counter(Metrics.REQUESTS, Metrics.TAG_VARIANT, arm.name()).increment();
        List<String> reasons = new ArrayList<>();
        Map<String, Double> stages = new LinkedHashMap<>();

        CandidatesResponse retrieved = null;
        RankResponse ranked = null;
        if (inFlight.tryAcquire()) {
            try {
                retrieved = retrieve(request, reasons, stages);
                if (retrieved != null) {
                    // the stated interests' vector, when retrieval embedded them: the taste of a user who has none;
                    // the user's features as retrieval read them (in-process serving), so ranking does not read again
                    ranked = rank(new RankRequest(userId, retrieved.candidates(), requestId,
                            retrieved.interestsVector(), retrieved.user()), reasons, stages);
                }
            } finally {
                inFlight.release();
            }
        } else {
            reasons.add("overloaded (" + props.maxInFlight() + " requests in flight): serving popular items");
        }
        List<Candidate> candidates;
        List<RecommendedItem> items;
        String modelVersion = null;
        if (retrieved == null) {
            // three times k, as describe drops what the catalog withdrew
            candidates = popular(3 * k, request.filters(), reasons);
            items = describe(candidates, k);
        } else {
            candidates = retrieved.candidates();
            if (ranked != null) {
                modelVersion = ranked.modelVersion();
                items = shown(ranked, k, requestId, arm);
            } else {
                items = describe(candidates, k);
            }
        }
        double total = millisSince(start);
        stages.put("total", total);
        meters.timer(Metrics.STAGE, Metrics.TAG_STAGE, "total").record((long) (total * 1e6), TimeUnit.NANOSECONDS);
        reasons.forEach(r -> meters.counter(Metrics.DEGRADED, Metrics.TAG_REASON, r.split(" ")[0]).increment());
        impressions.log(requestId, userId, items, arm.name(), request.context());
        return new RecommendResponse(requestId, userId, arm.name(), items, modelVersion, !reasons.isEmpty(), reasons,
                candidates.size(), stages);
    }

    /**
     * The ranked list as shown (ranking has already left out inactive items and items without features): diversified
     * by maximal marginal relevance over the top {@code 3k} when the arm asks for it (T5 vectors read from the feature
     * store only then), the last exploration slots given to random items from the rest of the ranked pool. Titles and
     * categories come with the ranked items: no feature-store read on the default path.
     */
    private List<RecommendedItem> shown(RankResponse ranked, int k, String requestId, Experiments.Arm arm) {
        List<RankResponse.ScoredItem> top = ranked.items().stream().limit(3L * k).toList();
        Map<String, ItemFeatures> features = Map.of();
        if (arm.mmrLambda() < 1.0) {
            try {
                features = store.items(top.stream().map(RankResponse.ScoredItem::itemId).toList());
            } catch (RuntimeException e) { // no vectors: relevance order
                features = Map.of();
            }
        }
        List<ListPolicy.Entry<RankResponse.ScoredItem>> entries = new ArrayList<>();
        for (RankResponse.ScoredItem s : top) {
            ItemFeatures f = features.get(s.itemId());
            entries.add(new ListPolicy.Entry<>(s, s.itemId(), s.score(), f == null ? null : f.vector()));
        }
        List<RankResponse.ScoredItem> picked = new ArrayList<>();
        ListPolicy.diversify(entries, k, arm.mmrLambda()).forEach(e -> picked.add(e.item()));
        Map<String, RankResponse.ScoredItem> byId = new LinkedHashMap<>();
        ranked.items().forEach(s -> byId.put(s.itemId(), s));
        List<RankResponse.ScoredItem> explored = ListPolicy.explore(picked,
                picked.stream().map(RankResponse.ScoredItem::itemId).toList(), List.copyOf(byId.keySet()),
                arm.explorationSlots(), requestId.hashCode(), id -> {
                    RankResponse.ScoredItem s = byId.get(id);
                    return new RankResponse.ScoredItem(id, s.score(), EXPLORE, s.retrievalScore(), s.title(),
                            s.category(), "Something new to try");
                });
        List<RecommendedItem> out = new ArrayList<>();
        for (RankResponse.ScoredItem s : explored) {
            out.add(new RecommendedItem(out.size() + 1, s.itemId(), s.score(), s.source(), s.title(), s.category(),
                    s.reason()));
        }
        return out;
    }

    /** Provenance of exploration slots. */
    static final String EXPLORE = "Explore";

    /** Candidates (and the interests' vector), or {@code null} when retrieval is unavailable. */
    private CandidatesResponse retrieve(RecommendRequest request, List<String> reasons, Map<String, Double> stages) {
        long start = System.nanoTime();
        String userId = request.userId();
        CandidatesRequest body = new CandidatesRequest(userId, props.candidates(), request.filters(),
                request.interests());
        try {
            CandidatesResponse r = serving.candidates(body);
            reasons.addAll(r.reasons().stream().map(s -> "retrieval-source " + s).toList());
            return r;
        } catch (Exception e) {
            reasons.add("retrieval unavailable (" + e.getClass().getSimpleName() + "): serving popular items");
            log.warn("retrieval failed for {}: {}", userId, e.toString());
            return null;
        } finally {
            record("retrieval", start, stages);
        }
    }

    /** Ranked items, or {@code null} when ranking is unavailable. */
    private RankResponse rank(RankRequest request, List<String> reasons, Map<String, Double> stages) {
        String userId = request.userId();
        if (request.candidates().isEmpty()) {
            return null;
        }
        long start = System.nanoTime();
        try {
            return serving.rank(request);
        } catch (Exception e) {
            reasons.add("ranking unavailable (" + e.getClass().getSimpleName() + "): serving retrieval order");
            log.warn("ranking failed for {}: {}", userId, e.toString());
            return null;
        } finally {
            record("ranking", start, stages);
        }
    }

    /**
     * The popular list when retrieval is down: overall, or per included category; excluded items and categories left
     * out (the categories of the over-fetched list checked in one read).
     */
    private List<Candidate> popular(int k, RecommendFilters filters, List<String> reasons) {
        try {
            Set<String> excluded = filters.excludedItems();
            int asked = filters.restrictsCategories() ? 3 * k + excluded.size() : k + excluded.size();
            List<Candidate> out = new ArrayList<>();
            if (filters.includeCategories().isEmpty()) {
                for (Map.Entry<String, Double> e : popularList.top(asked).entrySet()) {
                    if (out.size() == asked) {
                        break;
                    }
                    out.add(new Candidate(e.getKey(), e.getValue(), "Popular", "Popular right now"));
                }
            } else {
                store.popularIn(filters.includeCategories(), asked).forEach(i ->
                        out.add(new Candidate(i.itemId(), i.score(), "Popular", "Popular in " + i.category())));
            }
            out.removeIf(c -> excluded.contains(c.itemId()));
            if (filters.restrictsCategories()) {
                Map<String, String> categories = store.categories(out.stream().map(Candidate::itemId).toList());
                out.removeIf(c -> !filters.allowsCategory(categories.get(c.itemId())));
            }
            return out.stream().limit(k).toList();
        } catch (RuntimeException e) {
            reasons.add("popular unavailable (" + e.getClass().getSimpleName() + "): no items");
            return List.of();
        }
    }

    /**
     * The first k items in the given order that the catalog has not withdrawn (on the ranked path ranking drops them;
     * here, on the retrieval-order and popular paths, they are dropped from the first 3k read), with titles and
     * categories when the feature store can be read (when it cannot, nothing is known to be withdrawn).
     */
    private List<RecommendedItem> describe(List<Candidate> candidates, int k) {
        List<Candidate> pool = candidates.stream().limit(3L * k).toList();
        Map<String, ItemFeatures> features;
        try {
            features = store.items(pool.stream().map(Candidate::itemId).toList());
        } catch (RuntimeException e) {
            features = Map.of();
        }
        List<RecommendedItem> out = new ArrayList<>();
        for (Candidate c : pool) {
            ItemFeatures f = features.get(c.itemId());
            if (f != null && !f.active()) {
                continue;
            }
            if (out.size() == k) {
                break;
            }
            out.add(new RecommendedItem(out.size() + 1, c.itemId(), c.score(), c.source(),
                    f == null ? null : f.title(), f == null ? null : f.category(), c.reason()));
        }
        return out;
    }

    private void record(String stage, long start, Map<String, Double> stages) {
        double ms = millisSince(start);
        stages.put(stage, ms);
        meters.timer(Metrics.STAGE, Metrics.TAG_STAGE, stage).record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
    }

    private static double millisSince(long start) {
        return (System.nanoTime() - start) / 1e6;
    }
}
