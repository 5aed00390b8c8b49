package dev.marquee.common.recommend;

import dev.marquee.common.Ids;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A request for candidates ({@code POST /candidates}).
 *
 * @param n         how many candidates at most (1-500, default 100)
 * @param filters   category and item restrictions (optional)
 * @param interests free text of what the user says they like (optional): embedded by T5 and searched by ANN, the
 *                  cold start for a user without history
 */
public record CandidatesRequest(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
        @Min(1) @Max(500) Integer n,
        @Valid RecommendFilters filters,
        @Size(max = 500) String interests) {

    public CandidatesRequest {
        n = n == null ? 100 : n;
        filters = filters == null ? RecommendFilters.NONE : filters;
        interests = interests == null || interests.isBlank() ? null : interests.strip();
    }
}
