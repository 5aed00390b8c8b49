package dev.marquee.gateway.recommend;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.ItemFeatures;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.common.recommend.RankResponse.ScoredItem;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.redis.FeatureStore.UserAndAnnList;
import dev.marquee.common.redis.PopularList;
import dev.marquee.common.serving.Ranking;
import dev.marquee.common.serving.Retrieval;
import dev.marquee.common.serving.ServingMode;
import dev.marquee.gateway.config.GatewayProperties;
import dev.marquee.gateway.recommend.RecommendResponse.RecommendedItem;
import dev.marquee.gateway.serving.StepBudgets;
import dev.marquee.gateway.serving.StepBudgets.Step;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * /recommend as a pipeline of named steps, each one timed in {@code stageMillis} and the stage metric:
 * <ol>
 *   <li>{@code hydration}: the user's features and ANN list, read once (in-process; a remote service reads its own);
 *   <li>{@code retrieval}: candidate sources through the {@link Retrieval} API, under its budget;
 *   <li>{@code ranking}: the champion model through the {@link Ranking} API, under its budget;
 *   <li>{@code filter}: {@link ListFilter}, the same rules on every path;
 *   <li>{@code selection}: diversity (MMR), exploration slots, the top k;
 *   <li>impressions logged (off the request thread).
 * </ol>
 * A step that fails or runs past its budget is skipped, and the list comes from the fallback: no ranking → retrieval
 * order; no retrieval → the popular list; nothing at all → an empty list. The answer says which, flagged
 * {@code degraded} with the reasons. The fallback paths read item features themselves (withdrawn items dropped).
 */
@Component
public class Recommender {
    private static final Logger log = LoggerFactory.getLogger(Recommender.class);
    /** Provenance of exploration slots. */
    static final String EXPLORE = "Explore";

    private final Retrieval retrieval;
    private final Ranking ranking;
    private final StepBudgets budgets;
    private final ListFilter filter;
    private final FeatureStore store;
    private final GatewayProperties props;
    private final MeterRegistry meters;
    private final ImpressionLog impressions;
    private final Experiments experiments;
    /** The overall popular list, from memory: the answer when retrieval is down and when load is shed. */
    private final PopularList popularList;
    /** Requests being worked on; past {@code max-in-flight} a request is shed to the popular list at once. */
    private final Semaphore inFlight;
    /** The stage timers by step, looked up once instead of by name and tags in the registry per request. */
    private final Map<String, Timer> stageTimers = new ConcurrentHashMap<>();

    Recommender(Retrieval retrieval, Ranking ranking, StepBudgets budgets, ListFilter filter, FeatureStore store,
                GatewayProperties props, MeterRegistry meters, ImpressionLog impressions, Experiments experiments) {
        this.retrieval = retrieval;
        this.ranking = ranking;
        this.budgets = budgets;
        this.filter = filter;
        this.store = store;
        this.props = props;
        this.meters = meters;
        this.impressions = impressions;
        this.experiments = experiments;
        this.popularList = new PopularList(store, props.popularCacheTtl());
        this.inFlight = new Semaphore(props.maxInFlight());
    }

    private Timer stageTimer(String step) {
        return stageTimers.computeIfAbsent(step, s -> meters.timer(Metrics.STAGE, Metrics.TAG_STAGE, s));
    }

    /** What one request has gathered so far: the steps' times and the reasons it is degraded. */
    private final class Trace {
        final Map<String, Double> stages = new LinkedHashMap<>();
        final List<String> reasons = new ArrayList<>();
        long stepStart = System.nanoTime();

        void start() {
            stepStart = System.nanoTime();
        }

        void done(String step) {
            double ms = (System.nanoTime() - stepStart) / 1e6;
            stages.put(step, ms);
            stageTimer(step).record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * One /recommend. Past {@code max-in-flight} requests being worked on, hydration, retrieval and ranking are
     * skipped: the popular list at once, flagged degraded ("overloaded"), filtered and logged like any other answer.
     */
    public RecommendResponse recommend(RecommendRequest request) {
        long start = System.nanoTime();
        String userId = request.userId();
        int k = request.k();
        String requestId = UUID.randomUUID().toString();
        Experiments.Arm arm = experiments.armOf(userId);
        meters.counter(Metrics.REQUESTS, Metrics.TAG_VARIANT, arm.name()).increment();
        Trace trace = new Trace();

        UserAndAnnList user = null;
        CandidatesResponse retrieved = null;
        RankResponse ranked = null;
        if (inFlight.tryAcquire()) {
            try {
                user = hydrate(userId, trace);
                retrieved = retrieve(request, user, trace);
                if (retrieved != null) {
                    // the stated interests' vector, when retrieval embedded them: the taste of a user who has none
                    ranked = rank(new RankRequest(userId, retrieved.candidates(), requestId,
                            retrieved.interestsVector()), user, trace);
                }
            } finally {
                inFlight.release();
            }
        } else {
            trace.reasons.add("overloaded (" + props.maxInFlight() + " requests in flight): serving popular items");
        }

        // the list before filtering: ranked, else in retrieval order, else the popular list (3k: filters drop some)
        int overAsk = 3 * k + request.filters().excludeItems().size();
        List<Candidate> candidates = retrieved != null ? retrieved.candidates()
                : popular(overAsk, request.filters(), trace);
        List<ScoredItem> pool = ranked != null ? ranked.items() : withFeatures(candidates, overAsk);

        trace.start();
        List<ScoredItem> kept = filter.apply(pool, request.filters(), userId, user == null ? null : user.user(),
                retrieved != null);
        trace.done("filter");

        trace.start();
        List<RecommendedItem> items = ranked != null ? selected(kept, k, requestId, arm) : positioned(kept, k);
        trace.done("selection");

        double total = (System.nanoTime() - start) / 1e6;
        trace.stages.put("total", total);
        stageTimer("total").record((long) (total * 1e6), TimeUnit.NANOSECONDS);
        trace.reasons.forEach(r -> meters.counter(Metrics.DEGRADED, Metrics.TAG_REASON, r.split(" ")[0]).increment());
        impressions.log(requestId, userId, items, arm.name(), request.context());
        return new RecommendResponse(requestId, userId, arm.name(), items, ranked == null ? null
                : ranked.modelVersion(), !trace.reasons.isEmpty(), trace.reasons, candidates.size(), trace.stages);
    }

    /**
     * The user's features and ANN list, one Redis round trip, handed to both steps in this JVM; {@code null} when
     * serving remotely (each service reads what it needs) or when the feature store cannot be read (retrieval then
     * reads and fails on its own terms).
     */
    private UserAndAnnList hydrate(String userId, Trace trace) {
        if (props.serving() != ServingMode.IN_PROCESS) {
            return null;
        }
        trace.start();
        try {
            return store.userWithAnnList(userId);
        } catch (RuntimeException e) {
            log.warn("hydration failed for {}: {}", userId, e.toString());
            return null;
        } finally {
            trace.done("hydration");
        }
    }

    /** Candidates (and the interests' vector), or {@code null} when retrieval is unavailable. */
    private CandidatesResponse retrieve(RecommendRequest request, UserAndAnnList user, Trace trace) {
        trace.start();
        CandidatesRequest body = new CandidatesRequest(request.userId(), props.candidates(), request.filters(),
                request.interests());
        try {
            CandidatesResponse r = budgets.within(Step.RETRIEVAL, () -> retrieval.candidates(body, user));
            trace.reasons.addAll(r.reasons().stream().map(s -> "retrieval-source " + s).toList());
            return r;
        } catch (Exception e) {
            trace.reasons.add("retrieval unavailable (" + e.getClass().getSimpleName() + "): serving popular items");
            log.warn("retrieval failed for {}: {}", request.userId(), e.toString());
            return null;
        } finally {
            trace.done("retrieval");
        }
    }

    /** Ranked items, or {@code null} when ranking is unavailable (or there is nothing to rank). */
    private RankResponse rank(RankRequest request, UserAndAnnList user, Trace trace) {
        if (request.candidates().isEmpty()) {
            return null;
        }
        trace.start();
        UserFeatures features = user == null ? null : user.user();
        try {
            return budgets.within(Step.RANKING, () -> ranking.rank(request, features));
        } catch (Exception e) {
            trace.reasons.add("ranking unavailable (" + e.getClass().getSimpleName() + "): serving retrieval order");
            log.warn("ranking failed for {}: {}", request.userId(), e.toString());
            return null;
        } finally {
            trace.done("ranking");
        }
    }

    /**
     * The popular list when retrieval is down: overall (from memory), or per included category; filtering is the
     * filter step's.
     */
    private List<Candidate> popular(int n, RecommendFilters filters, Trace trace) {
        try {
            List<Candidate> out = new ArrayList<>();
            if (filters.includeCategories().isEmpty()) {
                for (Map.Entry<String, Double> e : popularList.top(n).entrySet()) {
                    if (out.size() == n) {
                        break;
                    }
                    out.add(new Candidate(e.getKey(), e.getValue(), "Popular", "Popular right now"));
                }
            } else {
                store.popularIn(filters.includeCategories(), n).forEach(i ->
                        out.add(new Candidate(i.itemId(), i.score(), "Popular", "Popular in " + i.category())));
            }
            return out;
        } catch (RuntimeException e) {
            trace.reasons.add("popular unavailable (" + e.getClass().getSimpleName() + "): no items");
            return List.of();
        }
    }

    /**
     * Item hydration on the fallback paths (ranking does its own): the first {@code n} candidates with titles and
     * categories, those the catalog withdrew left out; the candidates as they are when the feature store cannot be
     * read (then nothing is known to be withdrawn).
     */
    private List<ScoredItem> withFeatures(List<Candidate> candidates, int n) {
        List<Candidate> first = candidates.stream().limit(n).toList();
        Map<String, ItemFeatures> features;
        try {
            features = store.items(first.stream().map(Candidate::itemId).toList());
        } catch (RuntimeException e) {
            features = Map.of();
        }
        List<ScoredItem> out = new ArrayList<>();
        for (Candidate c : first) {
            ItemFeatures f = features.get(c.itemId());
            if (f == null || f.active()) {
                out.add(new ScoredItem(c.itemId(), c.score(), c.source(), c.score(), f == null ? null : f.title(),
                        f == null ? null : f.category(), c.reason()));
            }
        }
        return out;
    }

    /**
     * Selection on the ranked path: diversified by maximal marginal relevance over the top {@code 3k} when the arm
     * asks for it (T5 vectors read from the feature store only then), the last exploration slots given to random
     * items from the rest of the ranked pool.
     */
    private List<RecommendedItem> selected(List<ScoredItem> ranked, int k, String requestId, Experiments.Arm arm) {
        List<ScoredItem> top = ranked.stream().limit(3L * k).toList();
        Map<String, ItemFeatures> features = Map.of();
        if (arm.mmrLambda() < 1.0) {
            try {
                features = store.items(top.stream().map(ScoredItem::itemId).toList());
            } catch (RuntimeException e) { // no vectors: relevance order
                features = Map.of();
            }
        }
        List<ListPolicy.Entry<ScoredItem>> entries = new ArrayList<>();
        for (ScoredItem s : top) {
            ItemFeatures f = features.get(s.itemId());
            entries.add(new ListPolicy.Entry<>(s, s.itemId(), s.score(), f == null ? null : f.vector()));
        }
        List<ScoredItem> picked = new ArrayList<>();
        ListPolicy.diversify(entries, k, arm.mmrLambda()).forEach(e -> picked.add(e.item()));
        Map<String, ScoredItem> byId = new LinkedHashMap<>();
        ranked.forEach(s -> byId.put(s.itemId(), s));
        List<ScoredItem> explored = ListPolicy.explore(picked, picked.stream().map(ScoredItem::itemId).toList(),
                List.copyOf(byId.keySet()), arm.explorationSlots(), requestId.hashCode(), id -> {
                    ScoredItem s = byId.get(id);
                    return new ScoredItem(id, s.score(), EXPLORE, s.retrievalScore(), s.title(), s.category(),
                            "Something new to try");
                });
        return positioned(explored, k);
    }

    /** The first k items, numbered from 1. */
    private static List<RecommendedItem> positioned(List<ScoredItem> items, int k) {
        List<RecommendedItem> out = new ArrayList<>();
        for (ScoredItem s : items) {
            if (out.size() == k) {
                break;
            }
            out.add(new RecommendedItem(out.size() + 1, s.itemId(), s.score(), s.source(), s.title(), s.category(),
                    s.reason()));
        }
        return out;
    }
}
