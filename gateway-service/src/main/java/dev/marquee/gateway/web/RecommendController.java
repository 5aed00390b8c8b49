package dev.marquee.gateway.web;

import dev.marquee.common.Ids;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.gateway.recommend.RecommendRequest;
import dev.marquee.gateway.recommend.RecommendResponse;
import dev.marquee.gateway.recommend.Recommender;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
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
            @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") @Min(1) @Max(100) int k,
            @Parameter(description = "only these categories (repeatable)")
            @RequestParam(name = "category", required = false) @Size(max = 20)
            List<@Pattern(regexp = CatalogItem.CATEGORY_PATTERN, message = CatalogItem.CATEGORY_MESSAGE) String>
                    category,
            @Parameter(description = "never these categories (repeatable)")
            @RequestParam(name = "excludeCategory", required = false) @Size(max = 20)
            List<@Pattern(regexp = CatalogItem.CATEGORY_PATTERN, message = CatalogItem.CATEGORY_MESSAGE) String>
                    excludeCategory) {
        return recommender.recommend(new RecommendRequest(userId, k,
                new RecommendFilters(category, excludeCategory, null), null, null));
    }

    @Operation(summary = "Top-k items with filters (categories, excluded items), context and stated interests; "
            + "always 200 — a dependency outage sets degraded=true")
    @PostMapping("/recommend")
    RecommendResponse recommend(@Valid @RequestBody RecommendRequest request) {
        return recommender.recommend(request);
    }
}
