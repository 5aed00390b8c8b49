package dev.marquee.gateway.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param retrievalUrl     base URL of retrieval-service
 * @param rankingUrl       base URL of ranking-service
 * @param retrievalTimeout past this, /recommend serves the popular list instead (default 150 ms)
 * @param rankingTimeout   past this, /recommend serves retrieval order instead (default 100 ms)
 * @param candidates       how many candidates retrieval is asked for per request (default 100)
 */
@Validated
@ConfigurationProperties("marquee.gateway")
public record GatewayProperties(
        @DefaultValue("http://127.0.0.1:8083") @NotBlank String retrievalUrl,
        @DefaultValue("http://127.0.0.1:8084") @NotBlank String rankingUrl,
        @DefaultValue("150ms") @NotNull Duration retrievalTimeout,
        @DefaultValue("100ms") @NotNull Duration rankingTimeout,
        @DefaultValue("100") @Min(1) @Max(500) int candidates) {
}
