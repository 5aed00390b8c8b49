package dev.marquee.gateway.recommend;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.gateway.config.GatewayProperties;
import dev.marquee.gateway.recommend.RecommendResponse.RecommendedItem;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * /recommend: retrieval, then ranking, then the top k. Each dependency has a timeout and a fallback: no ranking →
 * retrieval order; no retrieval → the popular list read from Redis; nothing at all → an empty list. The response is
 * always an answer, flagged {@code degraded} with the reasons when a fallback served it.
 */
@Component
public class Recommender {
    private static final Logger log = LoggerFactory.getLogger(Recommender.class);
    private final RestClient retrieval;
    private final RestClient ranking;
    private final FeatureStore store;
    private final GatewayProperties props;
    private final MeterRegistry meters;
    private final ImpressionLog impressions;
    private final Experiments experiments;

    /** Runs downstream calls so that the request thread can stop waiting at the budget, whatever the socket does. */
    private final ExecutorService calls = new ThreadPoolExecutor(16, 128, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "downstream");
                t.setDaemon(true);
                return t;
            });
    private final TimeLimiter retrievalLimiter;
    private final TimeLimiter rankingLimiter;

    Recommender(@Qualifier("retrievalClient") RestClient retrieval, @Qualifier("rankingClient") RestClient ranking,
                FeatureStore store, GatewayProperties props, MeterRegistry meters, ImpressionLog impressions,
                Experiments experiments) {
        this.retrieval = retrieval;
        this.ranking = ranking;
        this.store = store;
        this.props = props;
        this.meters = meters;
        this.impressions = impressions;
        this.experiments = experiments;
        this.retrievalLimiter = TimeLimiter.of("retrieval", TimeLimiterConfig.custom()
                .timeoutDuration(props.retrievalTimeout()).cancelRunningFuture(true).build());
        this.rankingLimiter = TimeLimiter.of("ranking", TimeLimiterConfig.custom()
                .timeoutDuration(props.rankingTimeout()).cancelRunningFuture(true).build());
    }

    @PreDestroy
    void shutdown() {
        calls.shutdownNow();
    }

    /** The call's result, or an exception once the limiter's budget has passed (or the pool is saturated). */
    private <T> T withinBudget(TimeLimiter limiter, Callable<T> call) throws Exception {
        return limiter.executeFutureSupplier(() -> calls.submit(call));
    }

    public RecommendResponse recommend(String userId, int k) {
        long start = System.nanoTime();
        String requestId = UUID.randomUUID().toString();
        Experiments.Arm arm = experiments.armOf(userId);
        meters.counter(Metrics.REQUESTS, Metrics.TAG_VARIANT, arm.name()).increment();
        List<String> reasons = new ArrayList<>();
        Map<String, Double> stages = new LinkedHashMap<>();

        List<Candidate> candidates = retrieve(userId, reasons, stages);
        List<RecommendedItem> items;
        String modelVersion = null;
        if (candidates == null) {
            candidates = popular(k, reasons);
            items = describe(candidates, k);
        } else {
            RankResponse ranked = rank(userId, requestId, candidates, reasons, stages);
            if (ranked != null) {
                modelVersion = ranked.modelVersion();
                items = shown(ranked, candidates, k, requestId, arm);
            } else {
                items = describe(candidates, k);
            }
        }
        double total = millisSince(start);
        stages.put("total", total);
        meters.timer(Metrics.STAGE, Metrics.TAG_STAGE, "total").record((long) (total * 1e6), TimeUnit.NANOSECONDS);
        reasons.forEach(r -> meters.counter(Metrics.DEGRADED, Metrics.TAG_REASON, r.split(" ")[0]).increment());
        impressions.log(requestId, userId, items, arm.name());
        return new RecommendResponse(requestId, userId, arm.name(), items, modelVersion, !reasons.isEmpty(), reasons,
                candidates.size(), stages);
    }

    /**
     * The ranked list as shown: inactive items dropped, diversified by maximal marginal relevance over the top
     * {@code 3k} (T5 vectors from the feature store), the last exploration slots given to random pool candidates.
     */
    private List<RecommendedItem> shown(RankResponse ranked, List<Candidate> pool, int k, String requestId,
                                        Experiments.Arm arm) {
        List<RankResponse.ScoredItem> top = ranked.items().stream().limit(3L * k).toList();
        Map<String, ItemFeatures> features;
        try {
            features = store.items(top.stream().map(RankResponse.ScoredItem::itemId).toList());
        } catch (RuntimeException e) { // no vectors: relevance order, nothing filtered
            features = Map.of();
        }
        List<ListPolicy.Entry<RankResponse.ScoredItem>> entries = new ArrayList<>();
        for (RankResponse.ScoredItem s : top) {
            ItemFeatures f = features.get(s.itemId());
            if (f == null || f.active()) {
                entries.add(new ListPolicy.Entry<>(s, s.itemId(), s.score(), f == null ? null : f.vector()));
            }
        }
        List<RecommendedItem> list = new ArrayList<>();
        for (ListPolicy.Entry<RankResponse.ScoredItem> e : ListPolicy.diversify(entries, k, arm.mmrLambda())) {
            RankResponse.ScoredItem s = e.item();
            list.add(new RecommendedItem(list.size() + 1, s.itemId(), s.score(), s.source(), s.title(), s.category(),
                    s.reason()));
        }
        List<RecommendedItem> explored = ListPolicy.explore(list, list.stream().map(RecommendedItem::itemId).toList(),
                pool.stream().map(Candidate::itemId).toList(), arm.explorationSlots(), requestId.hashCode(),
                id -> new RecommendedItem(0, id, 0.0, EXPLORE, null, null, "Something new to try"));
        List<RecommendedItem> out = new ArrayList<>();
        for (RecommendedItem i : explored) {
            out.add(new RecommendedItem(out.size() + 1, i.itemId(), i.score(), i.source(), i.title(), i.category(),
                    i.reason()));
        }
        return describeExplored(out);
    }

    /** Titles and categories of the explored items (one small read; left empty when Redis fails). */
    private List<RecommendedItem> describeExplored(List<RecommendedItem> list) {
        List<String> ids = list.stream().filter(i -> EXPLORE.equals(i.source())).map(RecommendedItem::itemId).toList();
        if (ids.isEmpty()) {
            return list;
        }
        Map<String, ItemFeatures> features;
        try {
            features = store.items(ids);
        } catch (RuntimeException e) {
            return list;
        }
        List<RecommendedItem> out = new ArrayList<>();
        for (RecommendedItem i : list) {
            ItemFeatures f = EXPLORE.equals(i.source()) ? features.get(i.itemId()) : null;
            out.add(f == null ? i : new RecommendedItem(i.position(), i.itemId(), i.score(), i.source(), f.title(),
                    f.category(), i.reason()));
        }
        return out;
    }

    /** Provenance of exploration slots. */
    static final String EXPLORE = "Explore";

    /** Candidates, or {@code null} when retrieval is unavailable. */
    private List<Candidate> retrieve(String userId, List<String> reasons, Map<String, Double> stages) {
        long start = System.nanoTime();
        try {
            CandidatesResponse r = withinBudget(retrievalLimiter, () -> retrieval.get()
                    .uri(u -> u.path("/candidates").queryParam("userId", userId).queryParam("n", props.candidates())
                            .build())
                    .retrieve().body(CandidatesResponse.class));
            if (r == null) {
                throw new IllegalStateException("empty body");
            }
            reasons.addAll(r.reasons().stream().map(s -> "retrieval-source " + s).toList());
            return r.candidates();
        } catch (Exception e) {
            reasons.add("retrieval unavailable (" + e.getClass().getSimpleName() + "): serving popular items");
            log.warn("retrieval failed for {}: {}", userId, e.toString());
            return null;
        } finally {
            record("retrieval", start, stages);
        }
    }

    /** Ranked items, or {@code null} when ranking is unavailable. */
    private RankResponse rank(String userId, String requestId, List<Candidate> candidates, List<String> reasons,
                              Map<String, Double> stages) {
        if (candidates.isEmpty()) {
            return null;
        }
        long start = System.nanoTime();
        try {
            RankResponse r = withinBudget(rankingLimiter, () -> ranking.post().uri("/rank")
                    .body(new RankRequest(userId, candidates, requestId)).retrieve().body(RankResponse.class));
            if (r == null) {
                throw new IllegalStateException("empty body");
            }
            return r;
        } catch (Exception e) {
            reasons.add("ranking unavailable (" + e.getClass().getSimpleName() + "): serving retrieval order");
            log.warn("ranking failed for {}: {}", userId, e.toString());
            return null;
        } finally {
            record("ranking", start, stages);
        }
    }

    private List<Candidate> popular(int k, List<String> reasons) {
        try {
            List<Candidate> out = new ArrayList<>();
            store.popular(k).forEach((id, score) -> out.add(new Candidate(id, score, "Popular", "Popular right now")));
            return out;
        } catch (RuntimeException e) {
            reasons.add("popular unavailable (" + e.getClass().getSimpleName() + "): no items");
            return List.of();
        }
    }

    /** Items in the given order with titles and categories when the feature store can be read. */
    private List<RecommendedItem> describe(List<Candidate> candidates, int k) {
        List<Candidate> top = candidates.stream().limit(k).toList();
        Map<String, ItemFeatures> features;
        try {
            features = store.items(top.stream().map(Candidate::itemId).toList());
        } catch (RuntimeException e) {
            features = Map.of();
        }
        List<RecommendedItem> out = new ArrayList<>();
        for (Candidate c : top) {
            ItemFeatures f = features.get(c.itemId());
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
