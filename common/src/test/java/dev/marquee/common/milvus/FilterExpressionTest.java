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
}
