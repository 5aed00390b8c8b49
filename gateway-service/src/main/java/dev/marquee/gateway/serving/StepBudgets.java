package dev.marquee.gateway.serving;

import dev.marquee.common.serving.OutageBreakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import dev.marquee.gateway.config.GatewayProperties;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The budget of each step the gateway calls through the retrieval and ranking APIs, the same in both serving modes:
 * the call runs on a bounded pool so that the request thread stops waiting at the budget whatever the step does
 * (a slow Milvus in this JVM or a slow socket to another), and gets an exception it can fall back on (resilience4j
 * {@link TimeLimiter}; a full pool is refused at once). Each step has a circuit breaker ({@link OutageBreakers},
 * {@code step-retrieval}, ...): while its dependency is down or hung, the step is refused at once
 * ({@code CallNotPermittedException}) instead of costing every request its budget.
 */
@Component
public class StepBudgets {
    /** The steps with a budget: {@code retrieval-timeout} for retrieval and /similar, {@code ranking-timeout}. */
    public enum Step { RETRIEVAL, RANKING, SIMILAR }

    private final ThreadPoolExecutor calls = new ThreadPoolExecutor(16, 128, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), r -> {
                Thread t = new Thread(r, "step");
                t.setDaemon(true);
                return t;
            });
    private final TimeLimiter retrieval;
    private final TimeLimiter ranking;
    private final TimeLimiter similar;
    private final java.util.Map<Step, CircuitBreaker> breakers = new java.util.EnumMap<>(Step.class);

    StepBudgets(GatewayProperties props, OutageBreakers outageBreakers) {
        for (Step step : Step.values()) {
            breakers.put(step, outageBreakers.breaker("step-" + step.name().toLowerCase(java.util.Locale.ROOT),
                    props.circuitOpen()));
        }
        this.retrieval = limiter("retrieval", props.retrievalTimeout().toNanos());
        this.ranking = limiter("ranking", props.rankingTimeout().toNanos());
        this.similar = limiter("similar", props.retrievalTimeout().toNanos());
        calls.prestartAllCoreThreads();
    }

    private static TimeLimiter limiter(String name, long nanos) {
        return TimeLimiter.of(name, TimeLimiterConfig.custom()
                .timeoutDuration(java.time.Duration.ofNanos(nanos)).cancelRunningFuture(true).build());
    }

    @PreDestroy
    void shutdown() {
        calls.shutdownNow();
    }

    /** The step's result, or an exception: its own, a timeout once its budget has passed, or a refusal. */
    public <T> T within(Step step, Callable<T> call) throws Exception {
        TimeLimiter limiter = switch (step) {
            case RETRIEVAL -> retrieval;
            case RANKING -> ranking;
            case SIMILAR -> similar;
        };
        return breakers.get(step).executeCallable(() -> limiter.executeFutureSupplier(() -> calls.submit(call)));
    }
}
