package dev.marquee.ranking.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ranked order of the model's scores: descending, ties in the candidates' order. */
class BestFirstTest {

    @Test
    void ordersByDescendingScoreWithTiesInCandidateOrder() {
        float[] scores = {0.5f, 2f, -1f, 2f, 0f, -0f, Float.NaN, Float.NEGATIVE_INFINITY, 0.5f};

        assertThat(Ranker.bestFirst(scores)).containsExactly(6, 1, 3, 0, 8, 4, 5, 2, 7);
    }

    @Test
    void agreesWithTheBoxedComparatorSortOnRandomScores() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            float[] scores = new float[random.nextInt(300)];
            for (int i = 0; i < scores.length; i++) {
                // few distinct values: many ties
                scores[i] = (random.nextInt(21) - 10) / (random.nextBoolean() ? 4f : 1e3f);
            }
            Integer[] expected = new Integer[scores.length];
            Arrays.setAll(expected, i -> i);
            Arrays.sort(expected, (a, b) -> Float.compare(scores[b], scores[a]));

            assertThat(Ranker.bestFirst(scores)).containsExactly(Arrays.stream(expected).mapToInt(i -> i).toArray());
        }
    }
}
