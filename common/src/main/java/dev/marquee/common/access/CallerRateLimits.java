package dev.marquee.common.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.marquee.common.web.FilterProblems;
import dev.marquee.common.web.ProblemAdvice;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code marquee.access.requests-per-second} per caller (resilience4j's rate limiter, a one-second period, no waiting):
 * a caller is its key when it sent one, else its address. Over the limit: 429 with {@code Retry-After: 1} and a problem
 * naming the header. The limiters of callers not seen for 10 minutes are dropped, and at most 10,000 are kept.
 */
final class CallerRateLimits extends OncePerRequestFilter {
    private final RateLimiterConfig config;
    private final Cache<String, RateLimiter> limiters = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    CallerRateLimits(int requestsPerSecond) {
        this.config = RateLimiterConfig.custom().limitForPeriod(requestsPerSecond)
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        String caller = auth != null && auth.isAuthenticated() && auth.getName().startsWith("key-")
                ? auth.getName() : "addr-" + request.getRemoteAddr();
        if (!limiters.get(caller, name -> RateLimiter.of(name, config)).acquirePermission()) {
            response.setHeader("Retry-After", "1");
            FilterProblems.write(response, ProblemAdvice.INVALID_REQUEST, 429, "Too many requests", ApiKeys.HEADER,
                    "over " + config.getLimitForPeriod() + " requests per second for this caller; retry after 1 s");
            return;
        }
        chain.doFilter(request, response);
    }
}
