package dev.marquee.ingest.web;

import dev.marquee.common.Ids;
import dev.marquee.common.feature.UserFeatures;
import dev.marquee.common.redis.FeatureStore;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Map;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Read-only view of what the stream consumer has made of a user's events. */
@RestController
@Validated
class UserFeaturesController {
    private final FeatureStore store;

    UserFeaturesController(FeatureStore store) {
        this.store = store;
    }

    record UserView(String userId, long eventCount, List<String> recentItems, Map<String, Double> categoryWeights,
                    boolean hasTaste) {
    }

    @Operation(summary = "A user's current features (events counted, recent items, category weights)")
    @GetMapping("/users/{userId}/features")
    UserView features(@PathVariable @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId) {
        UserFeatures f = store.user(userId);
        return new UserView(userId, f.eventCount(), f.recentItems(), f.categoryWeights(), f.hasTaste());
    }
}
