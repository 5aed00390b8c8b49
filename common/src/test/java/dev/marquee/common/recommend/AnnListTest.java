package dev.marquee.common.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnnListTest {
    private final AnnList list = new AnnList(42, 7, List.of("a", "ß-ü", "c", "d"), new float[] {0.9f, 0.8f, 0.7f, 0.6f});

    @Test
    void aListReadBackFromItsBytesIsTheListWritten() {
        AnnList back = AnnList.fromBytes(list.toBytes());

        assertThat(back.eventCount()).isEqualTo(42);
        assertThat(back.catalogVersion()).isEqualTo(7);
        assertThat(back.itemIds()).containsExactly("a", "ß-ü", "c", "d");
        assertThat(back.scores()).containsExactly(0.9f, 0.8f, 0.7f, 0.6f);
        assertThat(AnnList.fromBytes(null)).isNull();
    }

    @Test
    void candidatesAreTheFirstNotExcludedInOrderWithTheirScoreAndSource() {
        List<Candidate> out = list.candidates(2, Set.of("a", "c"), "Ann", "why");

        assertThat(out).containsExactly(new Candidate("ß-ü", 0.8f, "Ann", "why"), new Candidate("d", 0.6f, "Ann",
                "why"));
        assertThat(list.candidates(10, Set.of(), "Ann", null)).hasSize(4);
    }

    @Test
    void itemsAndScoresMustPair() {
        assertThatThrownBy(() -> new AnnList(1, 1, List.of("a"), new float[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
