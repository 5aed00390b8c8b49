package dev.marquee.common.feature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeighbourScoresTest {
    @Test
    void anItemScoresItsCountsInTheSeedsListsWeightedByHowRecentTheSeedIs() {
        Map<String, Double> scores = NeighbourScores.of(List.of("newest", "older"), Map.of(
                "newest", Map.of("x", 4.0, "y", 1.0),
                "older", Map.of("x", 2.0, "z", 6.0, "newest", 5.0)));

        assertThat(scores.get("x")).isCloseTo(4.0 + 2.0 / 2, within(1e-12));
        assertThat(scores.get("y")).isCloseTo(1.0, within(1e-12));
        assertThat(scores.get("z")).isCloseTo(3.0, within(1e-12));
        assertThat(scores).doesNotContainKey("newest"); // a seed is never its own candidate
    }

    @Test
    void theSeedsAsOfAnInteractionAreTheItemsBeforeIt() {
        List<String> recent = List.of("a", "b", "c", "d", "e", "f", "g");

        assertThat(NeighbourScores.seedsFrom(recent, 0)).containsExactly("a", "b", "c", "d", "e");
        assertThat(NeighbourScores.seedsFrom(recent, 3)).containsExactly("d", "e", "f", "g");
        assertThat(NeighbourScores.seedsFrom(recent, 7)).isEmpty();
        assertThat(NeighbourScores.seedsFrom(recent, 9)).isEmpty();
    }

    @Test
    void theRankingFeaturesReadTheScoresOfTheItemAndZeroWithoutOne() {
        UserFeatures user = UserFeatures.empty("u").withNeighbourScores(Map.of("i", Math.E - 1, "k", 4 * (Math.E - 1)),
                Map.of(), Map.of(), Map.of());
        ItemFeatures item = new ItemFeatures("i", "t", "c", 1.0, null, 0);
        ItemFeatures other = new ItemFeatures("j", "t", "c", 1.0, null, 0);
        int transitions = RankingFeatures.names().indexOf("transition_score@5x100");
        int coVisits = RankingFeatures.names().indexOf("covisit_score@5x100");

        assertThat(FeatureAssembler.row(user, item)[transitions]).isCloseTo(1.0f, within(1e-6f));
        assertThat(FeatureAssembler.row(user, item)[coVisits]).isZero();
        assertThat(FeatureAssembler.row(user, other)[transitions]).isZero();
    }

    @Test
    void aShareFeatureIsTheItemsScoreOverTheUsersTopScore() {
        UserFeatures user = UserFeatures.empty("u").withNeighbourScores(Map.of("i", 1.0, "k", 4.0), Map.of(),
                Map.of(), Map.of());
        int share = RankingFeatures.names().indexOf("transition_share@5x100");

        assertThat(FeatureAssembler.row(user, new ItemFeatures("i", "t", "c", 1.0, null, 0))[share])
                .isCloseTo(0.25f, within(1e-6f));
        assertThat(FeatureAssembler.row(user, new ItemFeatures("k", "t", "c", 1.0, null, 0))[share]).isEqualTo(1f);
        assertThat(FeatureAssembler.row(UserFeatures.empty("new"), new ItemFeatures("k", "t", "c", 1.0, null, 0))[share])
                .isZero();
    }

    @Test
    void theHistoryScoreWeighsTwentySeedsByPowersOfZeroPointEight() {
        List<String> seeds = new java.util.ArrayList<>();
        Map<String, Map<String, Double>> lists = new java.util.HashMap<>();
        for (int i = 0; i < 25; i++) {
            seeds.add("s" + i);
            lists.put("s" + i, Map.of("x", 1.0));
        }

        double expected = 0;
        for (int rank = 0; rank < NeighbourScores.HISTORY_SEEDS; rank++) {
            expected += Math.pow(0.8, rank);
        }
        assertThat(NeighbourScores.ofHistory(seeds, lists).get("x")).isCloseTo(expected, within(1e-12));
    }

    /** The user went s2, s1, p: the lists count s1 -> p (5) and s2 -> p (4) of theirs, which the moment before p lacked. */
    @Test
    void withoutOwnTakesTheUsersOwnStepsOutOfTheListsOfTheSeeds() {
        List<String> seeds = List.of("s1", "s2");
        Map<String, Map<String, Double>> lists = Map.of(
                "s1", Map.of("p", 5.0, "x", 3.0),
                "s2", Map.of("p", 6.0));

        Map<String, Double> before = NeighbourScores.of(seeds,
                NeighbourScores.withoutOwn(seeds, lists, List.of("p"), NeighbourScores::transitionCount));

        assertThat(NeighbourScores.of(seeds, lists).get("p")).isCloseTo(5.0 + 6.0 / 2, within(1e-12));
        assertThat(before.get("p")).isCloseTo(1.0, within(1e-12)); // another user's s2 -> p (2, weighed 1/2)
        assertThat(before.get("x")).isEqualTo(3.0);
        assertThat(NeighbourScores.of(List.of("s1"), NeighbourScores.withoutOwn(List.of("s1"),
                Map.of("s1", Map.of("p", 5.0)), List.of("p"), NeighbourScores::transitionCount))).isEmpty();
        assertThat(NeighbourScores.transitionCount(6)).isZero();
        assertThat(NeighbourScores.coVisitCount(5)).isEqualTo(1.0);
    }

    /**
     * The user went s2, s1, p, but s1's list no longer holds p (cut from its strongest): the step s1 -> p takes nothing
     * from what other users' s2 -> p left. Subtracting every own step from the summed score took the positive's score
     * to zero here, and the model learnt from positives whose scores were lower than any served item's.
     */
    @Test
    void anOwnStepItsListDoesNotHoldTakesNothingFromTheOtherSeedsLists() {
        List<String> seeds = List.of("s1", "s2");
        Map<String, Map<String, Double>> lists = Map.of(
                "s1", Map.of("x", 9.0),
                "s2", Map.of("p", 10.0));

        Map<String, Double> before = NeighbourScores.of(seeds,
                NeighbourScores.withoutOwn(seeds, lists, List.of("p"), NeighbourScores::transitionCount));

        assertThat(before.get("p")).isCloseTo((10.0 - 4.0) / 2, within(1e-12));
        assertThat(before.get("x")).isEqualTo(9.0);
    }
}
