package dev.marquee.retrieval.source;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.AnnList;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.recommend.CandidatesResponse.SourceReport;
import dev.marquee.common.redis.FeatureStore;
import dev.marquee.common.serving.OutageBreakers;
import dev.marquee.retrieval.config.RetrievalProperties;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs the candidate sources that apply to the request in parallel, each under its own time budget (those that
 * answer from memory on the caller's thread first, {@link CandidateSource#fromMemory}; those that cannot propose
 * anything, e.g. co-visitation for a user without recent items, not at all: reported {@code skipped}), and merges what came back in time by
 * round robin in priority order (ANN, stated interests, transitions, co-visitation, the user's categories, popular);
 * an item proposed by two sources keeps the first provenance. A source that fails or times out is reported and dropped
 * (fail-open); the response says it is degraded. A source whose recent fetches were mostly outages is skipped at once
 * while its circuit breaker is open ({@link OutageBreakers}, {@code source-<name>}; reported {@code open}). Items the
 * user has interacted with (their recent items in every source; their whole history, {@code h:<user>}, after the merge, one Redis read, when it is longer) and items the
 * caller excluded are never candidates; with category filters, every merged candidate's category is checked (one Redis read) whatever its
 * source, and sources are asked for more to make up for what the check drops.
 */
@Component
public class CandidateRetriever {
    private static final Logger log = LoggerFactory.getLogger(CandidateRetriever.class);
    private final FeatureStore store;
    private final List<CandidateSource> sources;
    private final Map<String, TimeLimiter> limiters = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final MeterRegistry meters;
    private final InterestEmbeddings interestEmbeddings;
    private final double historyOverAsk;
    private final int maxCandidates;
    private final AnnLists annLists;

    CandidateRetriever(FeatureStore store, AnnSource ann, InterestsSource interests, TransitionSource transitions,
                       CoVisitationSource coVisited, CategorySource categories, PopularSource popular,
                       MeterRegistry meters, InterestEmbeddings interestEmbeddings, RetrievalProperties props,
                       AnnLists annLists, OutageBreakers outageBreakers) {
        this.store = store;
        this.annLists = annLists;
        this.interestEmbeddings = interestEmbeddings;
        this.historyOverAsk = props.historyOverAsk();
        this.maxCandidates = props.maxCandidates();
        this.sources = List.of(ann, interests, transitions, coVisited, categories, popular);
        this.meters = meters;
        for (CandidateSource s : sources) {
            limiters.put(s.name(), TimeLimiter.of(s.name(), TimeLimiterConfig.custom()
                    .timeoutDuration(s.budget()).cancelRunningFuture(true).build()));
            breakers.put(s.name(), outageBreakers.breaker("source-" + s.name(), props.circuitOpen()));
        }
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
        timer.shutdownNow();
    }

    public CandidatesResponse retrieve(String userId, int n) {
        return retrieve(new CandidatesRequest(userId, n, RecommendFilters.NONE, null), null);
    }

    public CandidatesResponse retrieve(CandidatesRequest request) {
        return retrieve(request, null);
    }

    /**
     * @param hydrated the user's features and ANN list as the caller read them for this request, or {@code null}: read
     *                 here (one round trip)
     */
    public CandidatesResponse retrieve(CandidatesRequest request, FeatureStore.UserAndAnnList hydrated) {
        String userId = request.userId();
        int n = request.n();
        RecommendFilters filters = request.filters();
        AnnList annList = null;
        UserFeatures user;
        if (hydrated != null) {
            user = hydrated.user();
            annList = annLists.enabled() ? hydrated.annList() : null;
        } else if (annLists.enabled()) {
            FeatureStore.UserAndAnnList read = store.userWithAnnList(userId);
            user = read.user();
            annList = read.annList();
        } else {
            user = store.user(userId);
        }
        Set<String> exclude = new HashSet<>(user.recentItems());
        exclude.addAll(filters.excludeItems());
        // the category check after the merge drops some: ask for half as many again
        int asked = filters.restrictsCategories() ? n + (n + 1) / 2 : n;
        // the user has seen more than their recent items: the history filter after the merge drops some
        boolean longHistory = user.eventCount() > user.recentItems().size();
        if (longHistory) {
            asked = (int) Math.ceil(asked * historyOverAsk);
        }
        Round round = ask(user, annList, request, asked, exclude);
        List<Candidate> candidates = interleave(round.lists(), asked);
        if (longHistory) {
            candidates = unseen(userId, candidates);
            // most of what the sources proposed was seen (a long history of popular items): ask them for more
            while (candidates.size() < n && asked < maxCandidates && round.anyListOf(asked)) {
                asked = Math.min(maxCandidates, asked * 4);
                round = ask(user, annList, request, asked, exclude);
                candidates = unseen(userId, interleave(round.lists(), asked));
            }
        }
        List<SourceReport> reports = round.reports();
        List<String> reasons = round.reasons();
        if (filters.restrictsCategories()) {
            candidates = withinCategories(candidates, filters);
        }
        candidates = candidates.stream().limit(n).toList();
        // the interests source embedded them (or found them cached) just now: hand the vector on for ranking
        float[] interestsVector = request.interests() == null ? null
                : interestEmbeddings.cachedVector(request.interests());
        return new CandidatesResponse(userId, candidates, reports, !reasons.isEmpty(), reasons, interestsVector);
    }

    /** What the sources answered to one query: their lists, in priority order, and each one's report. */
    private record Round(List<List<Candidate>> lists, List<SourceReport> reports, List<String> reasons) {
        /** Whether a source gave all it was asked for: it may have more. */
        boolean anyListOf(int asked) {
            return lists.stream().anyMatch(l -> l.size() >= asked);
        }
    }

    /** Asks every source that applies for {@code asked} candidates, those that answer from memory first. */
    private Round ask(UserFeatures user, AnnList annList, CandidatesRequest request, int asked, Set<String> exclude) {
        RecommendFilters filters = request.filters();
        CandidateQuery query = new CandidateQuery(user, asked, Set.copyOf(exclude), filters, request.interests(),
                annList);
        int count = sources.size();
        boolean[] applies = new boolean[count];
        boolean[] inline = new boolean[count];
        // the sources that answer from memory answer here, in one look each; the others go to the pool
        List<List<Candidate>> inlineLists = new ArrayList<>(count);
        double[] inlineMillis = new double[count];
        RuntimeException[] inlineErrors = new RuntimeException[count];
        List<CompletableFuture<List<Candidate>>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            CandidateSource s = sources.get(i);
            applies[i] = s.appliesTo(query);
            List<Candidate> found = null;
            if (applies[i]) {
                long start = System.nanoTime();
                try {
                    found = fromMemory(s, query);
                } catch (RuntimeException e) {
                    inlineErrors[i] = e;
                }
                inline[i] = found != null || inlineErrors[i] != null;
                inlineMillis[i] = millisSince(start);
            }
            inlineLists.add(found);
            // an open breaker fails the fetch at once (CallNotPermittedException), reported "open"
            futures.add(applies[i] && !inline[i] ? breakers.get(s.name()).executeCompletionStage(
                    () -> limiters.get(s.name()).executeCompletionStage(timer,
                            () -> CompletableFuture.supplyAsync(() -> timed(s, query), executor)))
                    .toCompletableFuture() : null);
        }
        List<List<Candidate>> lists = new ArrayList<>();
        List<SourceReport> reports = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CandidateSource s = sources.get(i);
            if (!applies[i]) {
                reports.add(new SourceReport(s.name(), 0, 0.0, "skipped"));
                continue;
            }
            long start = System.nanoTime();
            Throwable failure = inlineErrors[i];
            if (failure == null) {
                try {
                    List<Candidate> found = inline[i] ? inlineLists.get(i) : futures.get(i).join();
                    lists.add(found);
                    reports.add(new SourceReport(s.name(), found.size(),
                            inline[i] ? inlineMillis[i] : millisSince(start), "ok"));
                    continue;
                } catch (CompletionException e) {
                    failure = e.getCause();
                }
            }
            if (failure instanceof CallNotPermittedException) {
                reports.add(new SourceReport(s.name(), 0, 0.0, "open"));
                reasons.add(s.name() + " circuit open");
                meters.counter(Metrics.DEGRADED, Metrics.TAG_REASON, s.name() + "_open").increment();
                continue;
            }
            boolean timeout = failure instanceof TimeoutException;
            String status = timeout ? "timeout" : "error";
            reports.add(new SourceReport(s.name(), 0, inline[i] ? inlineMillis[i] : millisSince(start), status));
            reasons.add(s.name() + " " + status + (timeout ? "" : ": " + failure));
            meters.counter(Metrics.DEGRADED, Metrics.TAG_REASON, s.name() + "_" + status).increment();
            log.warn("candidate source {} {}: {}", s.name(), status, String.valueOf(failure));
        }
        return new Round(lists, reports, reasons);
    }

    /**
     * Round robin over the sources' lists in priority order (first of each, then second of each, ...), an item proposed
     * twice keeping its first provenance: every source that answered is represented in the pool, however long the
     * lists before it.
     */
    static List<Candidate> interleave(List<List<Candidate>> lists, int n) {
        Map<String, Candidate> merged = new LinkedHashMap<>((int) Math.ceil(n / 0.75)); // never grows
        int longest = lists.stream().mapToInt(List::size).max().orElse(0);
        for (int rank = 0; rank < longest && merged.size() < n; rank++) {
            for (List<Candidate> list : lists) {
                if (rank < list.size() && merged.size() < n) {
                    merged.putIfAbsent(list.get(rank).itemId(), list.get(rank));
                }
            }
        }
        return List.copyOf(merged.values());
    }

    /** The candidates the user has not interacted with ({@link FeatureStore#seenAmong}: their whole history). */
    private List<Candidate> unseen(String userId, List<Candidate> candidates) {
        Set<String> seen = store.seenAmong(userId, candidates.stream().map(Candidate::itemId).toList());
        return seen.isEmpty() ? candidates : candidates.stream().filter(c -> !seen.contains(c.itemId())).toList();
    }

    /** The candidates whose category the filters allow (items of unknown category only when nothing is included). */
    private List<Candidate> withinCategories(List<Candidate> candidates, RecommendFilters filters) {
        Map<String, String> categories = store.categories(candidates.stream().map(Candidate::itemId).toList());
        return candidates.stream().filter(c -> filters.allowsCategory(categories.get(c.itemId()))).toList();
    }

    /** The source's answer from memory, timed like a fetch when there is one. */
    private List<Candidate> fromMemory(CandidateSource s, CandidateQuery query) {
        Timer.Sample sample = Timer.start(meters);
        List<Candidate> found = s.fromMemory(query);
        if (found != null) {
            sample.stop(meters.timer(Metrics.SOURCE, Metrics.TAG_SOURCE, s.name()));
        }
        return found;
    }

    private List<Candidate> timed(CandidateSource s, CandidateQuery query) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return s.fetch(query);
        } finally {
            sample.stop(meters.timer(Metrics.SOURCE, Metrics.TAG_SOURCE, s.name()));
        }
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
