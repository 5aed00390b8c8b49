package dev.marquee.retrieval.web;

import dev.marquee.common.Ids;
import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.SimilarResponse;
import dev.marquee.common.web.ItemNotFoundException;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.common.serving.Retrieval;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
class CandidatesController {
    private final Retrieval retrieval;

    CandidatesController(Retrieval retrieval) {
        this.retrieval = retrieval;
    }

    @Operation(summary = "Items like this one: co-visited in sessions and nearest by T5 vector; 404 for an unknown item")
    @GetMapping("/similar/{itemId}")
    SimilarResponse similar(
            @PathVariable("itemId") @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
            @RequestParam(name = "n", defaultValue = "10") @Min(1) @Max(100) int n) {
        return retrieval.similar(itemId, n).orElseThrow(() -> new ItemNotFoundException(itemId));
    }

    @Operation(summary = "Candidates for a user from every source, merged with provenance; seen items excluded, "
            + "category include/exclude and excluded items applied, stated interests embedded for cold start")
    @PostMapping("/candidates")
    CandidatesResponse candidates(@Valid @RequestBody CandidatesRequest request) {
        return retrieval.candidates(request, null);
    }

    @Operation(summary = "Candidates for a user from every source, merged with provenance; seen items excluded")
    @GetMapping("/candidates")
    CandidatesResponse candidates(
            @RequestParam("userId") @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
            @RequestParam(name = "n", defaultValue = "100") @Min(1) @Max(500) int n) {
        return retrieval.candidates(new CandidatesRequest(userId, n, RecommendFilters.NONE, null), null);
    }
}
