package dev.marquee.dashboard;

import dev.marquee.common.Ids;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/** Same-origin access to the gateway for the page. */
@RestController
@Validated
class GatewayProxyController {
    private final RestClient gateway;

    GatewayProxyController(RestClient.Builder builder, DashboardProperties props) {
        this.gateway = builder.baseUrl(props.gatewayUrl()).build();
    }

    @GetMapping(value = "/api/recommend", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> recommend(
            @RequestParam("userId") @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
            @RequestParam(name = "k", defaultValue = "10") @Min(1) @Max(100) int k) {
        return gateway.get().uri(u -> u.path("/recommend").queryParam("userId", userId).queryParam("k", k).build())
                .retrieve().toEntity(String.class);
    }
}
