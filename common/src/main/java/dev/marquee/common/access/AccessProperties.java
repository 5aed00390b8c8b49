package dev.marquee.common.access;

import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may call a service ({@code marquee.access.*}). Keys come from configuration or the environment
 * ({@code MARQUEE_ACCESS_WRITE_KEYS=k1,k2}), never from the repository; {@code ./marquee up} generates them.
 *
 * @param writeKeys         keys that may write (events, items, imports, training, reindex, the simulator) and read;
 *                          none: every request is let through (a warning at start: for a service bound to loopback)
 * @param readKeys          keys that may only read; none: reads need no key
 * @param readPosts         paths whose POST only reads (a query with a body: /recommend, /candidates, /rank, /embed)
 * @param requestsPerSecond requests per second per caller (a key, or the client address without one); over it: 429
 *                          with {@code Retry-After}
 * @param clientKey         the key this service sends when it calls another one (the simulator, a remote gateway)
 */
@Validated
@ConfigurationProperties("marquee.access")
public record AccessProperties(
        @DefaultValue List<String> writeKeys,
        @DefaultValue List<String> readKeys,
        @DefaultValue({"/recommend", "/candidates", "/rank", "/embed"}) List<String> readPosts,
        @DefaultValue("2000") @Min(1) int requestsPerSecond,
        @DefaultValue("") String clientKey) {

    public List<String> writeKeys() {
        return writeKeys.stream().filter(k -> !k.isBlank()).toList();
    }

    public List<String> readKeys() {
        return readKeys.stream().filter(k -> !k.isBlank()).toList();
    }
}
