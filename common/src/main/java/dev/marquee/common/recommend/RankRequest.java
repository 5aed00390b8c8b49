package dev.marquee.common.recommend;

import dev.marquee.common.Ids;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * Candidates for one user, to be scored by the ranking model.
 *
 * @param requestId the caller's request id ({@code null} allowed): with it, the ranking service logs the feature rows
 *                  it scored under example ids {@code requestId:itemId} for the trainer; without, nothing is logged
 * @param interestsVector the T5 vector of the interests the user stated with this request ({@code null} if none):
 *                  the taste of a user who has none yet, so that a cold start is ranked by what they asked for
 */
public record RankRequest(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
        @NotNull @Size(max = 2000) List<@NotNull @Valid Candidate> candidates,
        @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String requestId,
        @Size(max = 4096) float[] interestsVector) {

    public RankRequest(String userId, List<Candidate> candidates, String requestId) {
        this(userId, candidates, requestId, null);
    }
}
