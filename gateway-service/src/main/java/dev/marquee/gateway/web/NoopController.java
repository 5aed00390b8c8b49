package dev.marquee.gateway.web;

import io.swagger.v3.oas.annotations.Hidden;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The latency floor for benchmarks: the same server, filters and JSON writing as /recommend, with no work behind it.
 * {@code ./marquee bench recommend} measures it in the same run to separate our cost from the framework's.
 */
@Hidden
@RestController
class NoopController {
    private static final Map<String, String> OK = Map.of("status", "ok");

    @GetMapping("/bench/noop")
    Map<String, String> noop() {
        return OK;
    }
}
