package dev.marquee.common.access;

import dev.marquee.common.web.FilterProblems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the {@value ApiKeys#HEADER} header: a known key makes the request its caller's; an unknown one is
 * answered 401 at once (a typo should not silently fall back to anonymous access). No header: anonymous, and the
 * authorization rules decide.
 */
final class ApiKeyAuthentication extends OncePerRequestFilter {
    private final ApiKeys keys;

    ApiKeyAuthentication(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String key = request.getHeader(ApiKeys.HEADER);
        if (key == null || key.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        Optional<ApiKeys.Caller> caller = keys.callerOf(key);
        if (caller.isEmpty()) {
            FilterProblems.write(response, ApiAccess.UNAUTHORIZED, 401, "Unauthorized", ApiKeys.HEADER,
                    "is not a known key");
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(caller.get().name(), null,
                AuthorityUtils.createAuthorityList(caller.get().authorities())));
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
