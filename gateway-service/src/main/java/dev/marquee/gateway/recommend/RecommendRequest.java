package dev.marquee.gateway.recommend;

import dev.marquee.common.Ids;
import dev.marquee.common.event.EventContext;
import dev.marquee.common.recommend.RecommendFilters;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A /recommend request ({@code POST} body; {@code GET} builds the same from query parameters).
 *
 * @param k         list length, 1-100 (default 10)
 * @param filters   category include/exclude and items never to show (optional)
 * @param context   where the list is shown (optional): logged with every impression
 * @param interests what the user says they like, free text (optional): the cold start of a user without history
 */
@Schema(example = """
        {"userId": "u-1", "k": 10,
         "filters": {"includeCategories": ["outdoor"], "excludeCategories": [], "excludeItems": ["item-42"]},
         "context": {"device": "ios", "page": "home"},
         "interests": "hiking and camping gear"}""")
public record RecommendRequest(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
        @Min(1) @Max(100) Integer k,
        @Valid RecommendFilters filters,
        @Valid Context context,
        @Size(max = 500) String interests) {

    public RecommendRequest {
        k = k == null ? 10 : k;
        filters = filters == null ? RecommendFilters.NONE : filters;
        context = context == null ? Context.NONE : context;
        interests = interests == null || interests.isBlank() ? null : interests.strip();
    }

    public static RecommendRequest of(String userId, int k) {
        return new RecommendRequest(userId, k, null, null, null);
    }

    /** @param device e.g. web, ios, android; @param page e.g. home, item, search */
    public record Context(
            @Pattern(regexp = EventContext.WORD, message = EventContext.WORD_MESSAGE) String device,
            @Pattern(regexp = EventContext.WORD, message = EventContext.WORD_MESSAGE) String page) {
        static final Context NONE = new Context(null, null);
    }
}
