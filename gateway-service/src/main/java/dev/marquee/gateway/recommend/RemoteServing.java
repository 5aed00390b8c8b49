package dev.marquee.gateway.recommend;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RankRequest;
import dev.marquee.common.recommend.RankResponse;
import dev.marquee.gateway.config.GatewayProperties;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * Retrieval ({@code POST /candidates}) and ranking ({@code POST /rank}) called over HTTP, each under its budget
 * ({@code retrieval-timeout}, {@code ranking-timeout}): the call runs on a pool thread so that the request thread stops
 * waiting at the budget whatever the socket does (resilience4j {@link TimeLimiter}).
 */
@Component
@ConditionalOnProperty(name = "marquee.gateway.serving", havingValue = "remote", matchIfMissing = true)
class RemoteServing implements ServingPath {
    private final RestClient retrieval;
    private final RestClient ranking;
    private final ExecutorService calls = new ThreadPoolExecutor(16, 128, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "downstream");
                t.setDaemon(true);
                return t;
            });
    private final TimeLimiter retrievalLimiter;
    private final TimeLimiter rankingLimiter;

    RemoteServing(@Qualifier("retrievalClient") RestClient retrieval, @Qualifier("rankingClient") RestClient ranking,
                  GatewayProperties props) {
        this.retrieval = retrieval;
        this.ranking = ranking;
        this.retrievalLimiter = TimeLimiter.of("retrieval", TimeLimiterConfig.custom()
                .timeoutDuration(props.retrievalTimeout()).cancelRunningFuture(true).build());
        this.rankingLimiter = TimeLimiter.of("ranking", TimeLimiterConfig.custom()
                .timeoutDuration(props.rankingTimeout()).cancelRunningFuture(true).build());
    }

    @PreDestroy
    void shutdown() {
        calls.shutdownNow();
    }

    @Override
    public CandidatesResponse candidates(CandidatesRequest request) throws Exception {
        return nonNull(withinBudget(retrievalLimiter, () -> retrieval.post().uri("/candidates")
                .body(request).retrieve().body(CandidatesResponse.class)));
    }

    @Override
    public RankResponse rank(RankRequest request) throws Exception {
        return nonNull(withinBudget(rankingLimiter, () -> ranking.post().uri("/rank")
                .body(request).retrieve().body(RankResponse.class)));
    }

    /** The call's result, or an exception once the limiter's budget has passed (or the pool is saturated). */
    private <T> T withinBudget(TimeLimiter limiter, Callable<T> call) throws Exception {
        return limiter.executeFutureSupplier(() -> calls.submit(call));
    }

    private static <T> T nonNull(T body) {
        if (body == null) {
            throw new IllegalStateException("empty body");
        }
        return body;
    }
}
