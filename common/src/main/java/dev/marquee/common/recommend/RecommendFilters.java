package dev.marquee.common.recommend;

import dev.marquee.common.Ids;
import dev.marquee.common.catalog.CatalogItem;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Set;

/**
 * What a caller allows in a recommendation list, on top of the rules that always hold (no seen, no inactive items).
 * Every value is checked against the id and category alphabets at the edge (400 naming the field otherwise), so it
 * can only ever be a literal inside a Milvus expression ({@link dev.marquee.common.milvus.FilterExpression}).
 *
 * @param includeCategories only items of these categories (none: any category)
 * @param excludeCategories never items of these categories
 * @param excludeItems      never these items (e.g. what the page already shows)
 */
public record RecommendFilters(
        @Size(max = 20) List<@Pattern(regexp = CatalogItem.CATEGORY_PATTERN,
                message = CatalogItem.CATEGORY_MESSAGE) String> includeCategories,
        @Size(max = 20) List<@Pattern(regexp = CatalogItem.CATEGORY_PATTERN,
                message = CatalogItem.CATEGORY_MESSAGE) String> excludeCategories,
        @Size(max = 200) List<@Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String> excludeItems) {

    public static final RecommendFilters NONE = new RecommendFilters(List.of(), List.of(), List.of());

    public RecommendFilters {
        includeCategories = includeCategories == null ? List.of() : List.copyOf(includeCategories);
        excludeCategories = excludeCategories == null ? List.of() : List.copyOf(excludeCategories);
        excludeItems = excludeItems == null ? List.of() : List.copyOf(excludeItems);
    }

    /** True when the list is restricted by category (candidates then need their category checked). */
    public boolean restrictsCategories() {
        return !includeCategories.isEmpty() || !excludeCategories.isEmpty();
    }

    /** Whether an item of {@code category} may be shown; an item of unknown category passes only without includes. */
    public boolean allowsCategory(String category) {
        if (category == null) {
            return includeCategories.isEmpty();
        }
        return (includeCategories.isEmpty() || includeCategories.contains(category))
                && !excludeCategories.contains(category);
    }

    /** The item ids never to show. */
    public Set<String> excludedItems() {
        return Set.copyOf(excludeItems);
    }
}
