package dev.marquee.gateway.recommend;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A list that is not personal: popular or trending (overall or in a category), or items like one item.
 *
 * @param list     {@code popular}, {@code trending} or {@code similar}
 * @param degraded true when a dependency failed and a fallback (or nothing) served the list
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemListResponse(String list, String category, String itemId, List<RecommendResponse.RecommendedItem> items,
                               boolean degraded, List<String> degradedReasons) {
}
