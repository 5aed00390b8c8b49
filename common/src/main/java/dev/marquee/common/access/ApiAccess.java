package dev.marquee.common.access;

import jakarta.servlet.DispatcherType;
import io.micrometer.observation.ObservationPredicate;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import dev.marquee.common.web.FilterProblems;

/**
 * Access to every service (Spring Security, stateless): writes need a write key in {@value ApiKeys#HEADER} once
 * {@code marquee.access.write-keys} is set; reads (GET, and POSTs listed in {@code read-posts}) need a read or write key
 * once {@code read-keys} is set; health, metrics and the API docs are open. Missing key: 401; a read key writing: 403;
 * both RFC 7807 problems naming the header. Every caller is rate limited ({@link CallerRateLimits}). Requests this
 * service makes with an injected {@code RestClient.Builder} carry {@code client-key}.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(AccessProperties.class)
public class ApiAccess {
    public static final URI UNAUTHORIZED = URI.create("https://marquee.dev/problems/unauthorized");
    public static final URI FORBIDDEN = URI.create("https://marquee.dev/problems/forbidden");
    private static final Logger log = LoggerFactory.getLogger(ApiAccess.class);
    private static final String[] OPEN = {"/actuator/**", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html",
            "/error"};

    @Bean
    SecurityFilterChain apiAccessChain(HttpSecurity http, AccessProperties props) throws Exception {
        ApiKeys keys = new ApiKeys(props);
        if (!keys.guarded()) {
            log.warn("marquee.access.write-keys is empty: every request is let through without a key; set it before "
                    + "this service listens beyond loopback");
        }
        boolean readsGuarded = !props.readKeys().isEmpty();
        String[] readPosts = props.readPosts().toArray(String[]::new);
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new CallerRateLimits(props.requestsPerSecond()), AuthorizationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> FilterProblems.write(response,
                                UNAUTHORIZED, 401, "Unauthorized", ApiKeys.HEADER, "a key is required"))
                        .accessDeniedHandler((request, response, ex) -> FilterProblems.write(response, FORBIDDEN, 403,
                                "Forbidden", ApiKeys.HEADER, "this key may not " + (isRead(request.getMethod())
                                        ? "read" : "write")))) 
                .authorizeHttpRequests(a -> {
                    a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC, DispatcherType.FORWARD)
                            .permitAll();
                    if (!keys.guarded()) {
                        a.anyRequest().permitAll();
                        return;
                    }
                    a.requestMatchers(OPEN).permitAll();
                    if (readsGuarded) {
                        a.requestMatchers(HttpMethod.GET).hasAuthority(ApiKeys.READ);
                        a.requestMatchers(HttpMethod.HEAD).hasAuthority(ApiKeys.READ);
                        a.requestMatchers(HttpMethod.POST, readPosts).hasAuthority(ApiKeys.READ);
                    } else {
                        a.requestMatchers(HttpMethod.GET).permitAll();
                        a.requestMatchers(HttpMethod.HEAD).permitAll();
                        a.requestMatchers(HttpMethod.POST, readPosts).permitAll();
                    }
                    a.requestMatchers(HttpMethod.OPTIONS).permitAll();
                    a.anyRequest().hasAuthority(ApiKeys.WRITE);
                });
        if (keys.guarded() || readsGuarded) {
            // with no key configured at all a key means nothing, and a stale one is not refused
            http.addFilterBefore(new ApiKeyAuthentication(keys), AnonymousAuthenticationFilter.class);
        }
        return http.build();
    }

    private static boolean isRead(String method) {
        return "GET".equals(method) || "HEAD".equals(method);
    }

    /**
     * No observations of Spring Security's own steps (a span per filter, the authorization decision): a visible share
     * of the gateway's CPU per /recommend (docs/benchmarks.md). Requests stay observed as a whole
     * ({@code http.server.requests}); refused ones are counted there by status.
     */
    @Bean
    ObservationPredicate noSecurityFilterObservations() {
        return (name, context) -> !name.startsWith("spring.security.");
    }

    /** No users: callers are keys. (Also keeps Spring Boot from generating a password and logging it.) */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }

    /** Calls to other services carry this service's key when it has one. */
    @Bean
    RestClientCustomizer clientKey(AccessProperties props) {
        return builder -> {
            if (!props.clientKey().isBlank()) {
                builder.defaultHeader(ApiKeys.HEADER, props.clientKey());
            }
        };
    }
}
