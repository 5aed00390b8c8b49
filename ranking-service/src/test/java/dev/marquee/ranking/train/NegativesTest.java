package dev.marquee.ranking.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserFeatures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NegativesTest {
    private static final List<String> CATALOG = List.of("x1", "x2", "x3", "x4", "x5", "x6");

    private static UserFeatures moment(Map<String, Double> transitions, Map<String, Double> historyCoVisits) {
        return UserFeatures.empty("u").withNeighbourScores(transitions, Map.of(), Map.of(), historyCoVisits);
    }

    @Test
    void negativesAreTheMomentsNeighboursTheUserNeverInteractedWith() {
        UserFeatures then = moment(Map.of("a", 5.0, "b", 4.0, "seen", 3.0, "pos", 2.0), Map.of("h", 1.0));

        List<String> drawn = new Negatives(3, 200, 1.0).draw(then, "pos", Set.of("pos", "seen"), CATALOG,
                new Random(1));

        assertThat(drawn).containsExactlyInAnyOrder("a", "b", "h");
    }

    @Test
    void theRestOfTheNegativesComeFromTheCatalog() {
        Map<String, Double> transitions = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            transitions.put("n" + i, 100.0 - i);
        }
        transitions.put("pos", 1.0);

        List<String> drawn = new Negatives(4, 200, 0.5).draw(moment(transitions, Map.of()), "pos", Set.of("pos"),
                CATALOG, new Random(3));

        assertThat(drawn).hasSize(4);
        assertThat(drawn.stream().filter(transitions::containsKey)).hasSize(2);
        assertThat(drawn.stream().filter(CATALOG::contains)).hasSize(2);
    }

    @Test
    void negativesComeFromThePoolOfTheBestNeighboursOnly() {
        Map<String, Double> transitions = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            transitions.put("n" + i, 1000.0 - i);
        }
        transitions.put("pos", 999.5);
        Set<String> best = Set.of("n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8");

        for (long seed = 0; seed < 20; seed++) {
            List<String> drawn = new Negatives(4, 10, 1.0).draw(moment(transitions, Map.of()), "pos", Set.of("pos"),
                    CATALOG, new Random(seed));
            assertThat(drawn).hasSize(4).allMatch(best::contains);
        }
    }

    @Test
    void aMomentWhoseItemNoNeighbourProposedGetsCatalogItemsTheUserNeverSaw() {
        UserFeatures then = moment(Map.of("a", 5.0, "b", 4.0), Map.of());

        List<String> drawn = new Negatives(3, 200, 1.0).draw(then, "pos", Set.of("pos", "x1", "x2"), CATALOG, new Random(1));

        assertThat(drawn).hasSize(3).doesNotContain("a", "b", "x1", "x2").allMatch(CATALOG::contains);
    }

    @Test
    void aPoolTooSmallIsFilledFromTheCatalog() {
        UserFeatures then = moment(Map.of("a", 5.0, "pos", 4.0), Map.of());

        List<String> drawn = new Negatives(3, 200, 1.0).draw(then, "pos", Set.of("pos"), CATALOG, new Random(1));

        assertThat(drawn).hasSize(3).contains("a").doesNotHaveDuplicates();
    }

    @Test
    void theSameSeedDrawsTheSameNegatives() {
        Map<String, Double> transitions = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            transitions.put("n" + i, (double) (i % 7));
        }
        transitions.put("pos", 3.0);
        Negatives negatives = new Negatives(5, 30, 0.6);

        assertThat(negatives.draw(moment(transitions, Map.of()), "pos", Set.of("pos"), CATALOG, new Random(9)))
                .isEqualTo(negatives.draw(moment(transitions, Map.of()), "pos", Set.of("pos"), CATALOG, new Random(9)));
    }
}
