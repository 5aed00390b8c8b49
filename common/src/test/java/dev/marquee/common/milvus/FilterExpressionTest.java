package dev.marquee.common.milvus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilterExpressionTest {
    @Test
    void excludesIdsAsQuotedLiterals() {
        assertThat(FilterExpression.notIn("item_id", List.of("a-1", "b:2")))
                .isEqualTo("item_id not in [\"a-1\", \"b:2\"]");
    }

    @Test
    void nothingToExcludeGivesNoFilter() {
        assertThat(FilterExpression.notIn("item_id", List.of())).isEmpty();
    }

    @Test
    void valueThatTriesToCloseTheStringIsRefused() {
        assertThatThrownBy(() -> FilterExpression.notIn("item_id", List.of("x\"] or item_id != \"")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FilterExpression.literal("a\\\" || true"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void categoryRestrictionsAndExclusionsAreJoinedWithAnd() {
        String expr = FilterExpression.where()
                .idNotIn("item_id", List.of("seen-1"))
                .categoryIn("category", List.of("sci fi", "books"))
                .categoryNotIn("category", List.of("horror"))
                .build();
        assertThat(expr).isEqualTo("item_id not in [\"seen-1\"] and category in [\"sci fi\", \"books\"]"
                + " and category not in [\"horror\"]");
    }

    @Test
    void categoryThatTriesToCloseTheLiteralStaysOneEscapedLiteral() {
        assertThat(FilterExpression.where().categoryIn("category", List.of("books\"] or category != \"")).build())
                .isEqualTo("category in [\"books\\\"] or category != \\\"\"]");
        assertThat(FilterExpression.categoryLiteral("a\\\" || 1 == 1")).isEqualTo("\"a\\\\\\\" || 1 == 1\"");
        assertThat(FilterExpression.categoryLiteral("Children's 🎬 Ünïcode")).isEqualTo("\"Children's 🎬 Ünïcode\"");
    }

    @Test
    void categoryWithALineBreakOrControlCharacterIsRefused() {
        assertThatThrownBy(() -> FilterExpression.categoryLiteral("books\"\n or 1 == 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("category");
        assertThatThrownBy(() -> FilterExpression.categoryLiteral("a\u0000b"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
