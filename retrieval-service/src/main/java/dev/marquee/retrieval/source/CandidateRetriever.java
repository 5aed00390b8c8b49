package dev.marquee.retrieval.source;

import dev.marquee.common.Metrics;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.recommend.Candidate;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.CandidatesResponse.SourceReport;
import dev.marquee.common.redis.FeatureStore;
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
 * Runs every candidate source in parallel, each under its own time budget, and merges what came back in time by
 * round robin in priority order (ANN, co-visitation, the user's categories, popular); an item proposed by two sources
 * keeps the first provenance. A source that
 * fails or times out is reported and dropped (fail-open); the response says it is degraded.
 */
@Component
public class CandidateRetriever {
    private static final Logger log = LoggerFactory.getLogger(CandidateRetriever.class);
    private final FeatureStore store;
    private final List<CandidateSource> sources;
    private final Map<String, TimeLimiter> limiters = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final MeterRegistry meters;

    CandidateRetriever(FeatureStore store, AnnSource ann, CoVisitationSource coVisited, CategorySource categories,
                       PopularSource popular, MeterRegistry meters) {
        this.store = store;
        this.sources = List.of(ann, coVisited, categories, popular);
        this.meters = meters;
        for (CandidateSource s : sources) {
            limiters.put(s.name(), TimeLimiter.of(s.name(), TimeLimiterConfig.custom()
                    .timeoutDuration(s.budget()).cancelRunningFuture(true).build()));
        }
    }

    @PreDestroy
    void shutdown() {
        executor.shutdownNow();
        timer.shutdownNow();
    }

    public CandidatesResponse retrieve(String userId, int n) {
        UserFeatures user = store.user(userId);
        Set<String> exclude = new HashSet<>(user.recentItems());
        List<CompletableFuture<List<Candidate>>> futures = new ArrayList<>();
        for (CandidateSource s : sources) {
            futures.add(limiters.get(s.name()).executeCompletionStage(timer,
                    () -> CompletableFuture.supplyAsync(() -> timed(s, user, n, exclude), executor))
                    .toCompletableFuture());
        }
        List<List<Candidate>> lists = new ArrayList<>();
        List<SourceReport> reports = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            CandidateSource s = sources.get(i);
            long start = System.nanoTime();
            try {
                List<Candidate> found = futures.get(i).join();
                lists.add(found);
                reports.add(new SourceReport(s.name(), found.size(), millisSince(start), "ok"));
            } catch (CompletionException e) {
                boolean timeout = e.getCause() instanceof TimeoutException;
                String status = timeout ? "timeout" : "error";
                reports.add(new SourceReport(s.name(), 0, millisSince(start), status));
                reasons.add(s.name() + " " + status + (timeout ? "" : ": " + e.getCause()));
                meters.counter(Metrics.DEGRADED, Metrics.TAG_REASON, s.name() + "_" + status).increment();
                log.warn("candidate source {} {}: {}", s.name(), status, String.valueOf(e.getCause()));
            }
        }
        List<Candidate> candidates = interleave(lists, n);
        return new CandidatesResponse(userId, candidates, reports, !reasons.isEmpty(), reasons);
    }

    /**
     * Round robin over the sources' lists in priority order (first of each, then second of each, ...), an item proposed
     * twice keeping its first provenance: every source that answered is represented in the pool, however long the
     * lists before it.
     */
    static List<Candidate> interleave(List<List<Candidate>> lists, int n) {
        Map<String, Candidate> merged = new LinkedHashMap<>();
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

    private List<Candidate> timed(CandidateSource s, UserFeatures user, int n, Set<String> exclude) {
        Timer.Sample sample = Timer.start(meters);
        try {
            return s.fetch(user, n, exclude);
        } finally {
            sample.stop(meters.timer(Metrics.SOURCE, Metrics.TAG_SOURCE, s.name()));
        }
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
