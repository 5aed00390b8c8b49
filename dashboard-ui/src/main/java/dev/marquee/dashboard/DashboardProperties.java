package dev.marquee.dashboard;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** @param gatewayUrl the gateway the page's /api calls are forwarded to */
@Validated
@ConfigurationProperties("marquee.dashboard")
public record DashboardProperties(@DefaultValue("http://127.0.0.1:8080") @NotBlank String gatewayUrl) {
}
