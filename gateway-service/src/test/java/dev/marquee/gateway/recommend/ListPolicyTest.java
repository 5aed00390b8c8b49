package dev.marquee.gateway.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListPolicyTest {
    private static ListPolicy.Entry<String> entry(String id, double relevance, float... vector) {
        return new ListPolicy.Entry<>(id, id, relevance, vector);
    }

    private final List<ListPolicy.Entry<String>> ranked = List.of(
            entry("a", 0.90, 1, 0), entry("a-twin", 0.89, 1, 0.01f), entry("b", 0.80, 0, 1), entry("c", 0.10, 1, 1));

    @Test
    void diversificationPrefersADifferentItemOverANearDuplicateOfOneAlreadyPicked() {
        List<String> picked = ListPolicy.diversify(ranked, 3, 0.7).stream().map(ListPolicy.Entry::item).toList();
        assertThat(picked).startsWith("a", "b");
    }

    @Test
    void lambdaOneKeepsTheRankingOrder() {
        assertThat(ListPolicy.diversify(ranked, 3, 1.0)).extracting(ListPolicy.Entry::item)
                .containsExactly("a", "a-twin", "b");
    }

    @Test
    void explorationReplacesTheLastSlotsWithPoolItemsNotInTheListDeterministicallyPerSeed() {
        List<String> list = List.of("a", "b", "c");
        List<String> pool = List.of("a", "b", "c", "x", "y", "z");
        List<String> once = ListPolicy.explore(list, list, pool, 1, 7, id -> "explored:" + id);
        assertThat(once).hasSize(3).startsWith("a", "b");
        assertThat(once.get(2)).isIn("explored:x", "explored:y", "explored:z");
        assertThat(ListPolicy.explore(list, list, pool, 1, 7, id -> "explored:" + id)).isEqualTo(once);
        assertThat(ListPolicy.explore(list, list, pool, 0, 7, id -> "explored:" + id)).isEqualTo(list);
        assertThat(ListPolicy.explore(list, list, List.of("a", "b"), 2, 7, id -> "explored:" + id)).isEqualTo(list);
    }
}
