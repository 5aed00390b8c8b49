package dev.marquee.common.serving;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.stereotype.Component;

/**
 * Circuit breakers (resilience4j) for the calls to a dependency that can be down or hung (a step over HTTP or in this
 * JVM, a candidate source over Milvus): once 90 % of the calls of the last 10 seconds (20 at least) were outages, the
 * breaker opens and calls are refused at once for {@code openFor} instead of each waiting out its budget; then 3 calls
 * probe. A dependency that is down or hung fails (nearly) every call for as long as it lasts; a busy box makes some
 * calls overrun their budgets, and in a stall all of them for a second or two, which a time window of this length
 * rides out. Only
 * outages count: a timeout, a refused hand-off, I/O, a Redis connection failure or timeout, a gRPC (Milvus) status,
 * anywhere in the cause chain; an answer that says the request was bad or there is no model yet does not.
 * One bean per application context holds them all and reports them in {@code /actuator/health}: the service stays UP
 * (it still answers, degraded), with each breaker's state and {@code degraded: true} while one is not closed.
 */
@Component("outageBreakers")
public class OutageBreakers implements HealthIndicator {
    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();

    /** The breaker named {@code name}, made on first use with {@code openFor}. */
    public CircuitBreaker breaker(String name, Duration openFor) {
        return registry.circuitBreaker(name, () -> config(openFor));
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up();
        boolean degraded = false;
        for (CircuitBreaker b : registry.getAllCircuitBreakers()) {
            health.withDetail(b.getName(), b.getState().name());
            degraded |= b.getState() != CircuitBreaker.State.CLOSED;
        }
        return health.withDetail("degraded", degraded).build();
    }

    static CircuitBreakerConfig config(Duration openFor) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(10).minimumNumberOfCalls(20).failureRateThreshold(90)
                .waitDurationInOpenState(openFor).permittedNumberOfCallsInHalfOpenState(3)
                .recordException(OutageBreakers::isOutage).build();
    }

    /** Whether {@code failure} (or a cause of it) says the dependency is down or too slow, not that the call was bad. */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException || t instanceof RejectedExecutionException || t instanceof IOException
                    || t instanceof DataAccessResourceFailureException || t instanceof QueryTimeoutException
                    || t.getClass().getName().equals("io.grpc.StatusRuntimeException")) {
                return true;
            }
        }
        return false;
    }
}
