package dev.marquee.gateway.web;

import dev.marquee.common.Ids;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.gateway.recommend.ItemListResponse;
import dev.marquee.gateway.recommend.ItemLists;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Validated
class ItemListController {
    private final ItemLists lists;

    ItemListController(ItemLists lists) {
        this.lists = lists;
    }

    @Operation(summary = "Most popular (time-decayed, half-life days) items, overall or in one category")
    @GetMapping("/popular")
    ItemListResponse popular(
            @Parameter(example = "kitchen") @RequestParam(name = "category", required = false)
            @Pattern(regexp = CatalogItem.CATEGORY_PATTERN, message = CatalogItem.CATEGORY_MESSAGE) String category,
            @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") @Min(1) @Max(100) int k) {
        return lists.popular(ItemLists.Window.POPULAR, category, k);
    }

    @Operation(summary = "Trending items (time-decayed, half-life one hour), overall or in one category")
    @GetMapping("/trending")
    ItemListResponse trending(
            @Parameter(example = "kitchen") @RequestParam(name = "category", required = false)
            @Pattern(regexp = CatalogItem.CATEGORY_PATTERN, message = CatalogItem.CATEGORY_MESSAGE) String category,
            @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") @Min(1) @Max(100) int k) {
        return lists.popular(ItemLists.Window.TRENDING, category, k);
    }

    @Operation(summary = "Items like this one: co-visited in sessions and nearest by T5 vector; 404 for an unknown item")
    @GetMapping("/similar/{itemId}")
    ItemListResponse similar(
            @Parameter(example = "item-kitchen-0") @PathVariable("itemId")
            @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
            @Parameter(example = "10") @RequestParam(name = "k", defaultValue = "10") @Min(1) @Max(100) int k) {
        return lists.similar(itemId, k);
    }
}
