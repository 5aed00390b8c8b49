package dev.marquee.gateway.web;

import dev.marquee.common.Ids;
import dev.marquee.gateway.recommend.RecommendResponse;
import dev.marquee.gateway.recommend.Recommender;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
class RecommendController {
    private final Recommender recommender;

    RecommendController(Recommender recommender) {
        this.recommender = recommender;
    }

    @Operation(summary = "Top-k items for a user, ranked; always 200 — a dependency outage sets degraded=true")
    @GetMapping("/recommend")
    RecommendResponse recommend(
            @Parameter(example = "u-1") @RequestParam("userId")
            @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
            @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") @Min(1) @Max(100) int k) {
        return recommender.recommend(userId, k);
    }
}
