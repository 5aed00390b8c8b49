package dev.marquee.common.feature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureAssemblerTest {
    private final UserFeatures user = new UserFeatures("u1", new float[] {1, 0, 0},
            Map.of("books", 3.0, "toys", 1.0), 7, List.of("a", "b"));
    private final ItemFeatures book = new ItemFeatures("i1", "novel", "books", 19.0, new float[] {0.6f, 0.8f, 0}, 0.4);

    @Test
    void rowHasOneValuePerFeatureInDeclaredOrder() {
        float[] row = FeatureAssembler.row(user, book);
        assertThat(row).hasSize(RankingFeatures.ALL.size());
        assertThat(RankingFeatures.names()).containsExactly("taste_cosine", "category_affinity", "item_popularity_share",
                "item_price", "user_activity", "transition_score@5x100", "covisit_score@5x100",
                "history_covisit_score@20x0.8x100", "transition_share@5x100", "covisit_share@5x100",
                "history_covisit_share@20x0.8x100", "last_transition_score@1x100", "last_transition_share@1x100");
        assertThat((double) row[0]).isCloseTo(0.6, within(1e-6));
        assertThat((double) row[1]).isCloseTo(0.75, within(1e-6));
        assertThat((double) row[2]).isCloseTo(0.4, within(1e-6));
        assertThat((double) row[3]).isCloseTo(Math.log1p(19.0), within(1e-6));
        assertThat((double) row[4]).isCloseTo(Math.log1p(7), within(1e-6));
        assertThat(row[5]).isZero(); // no neighbour scores hydrated
    }

    @Test
    void unknownUserAndUnembeddedItemGiveNeutralValues() {
        ItemFeatures bare = new ItemFeatures("i2", null, "toys", 0, null, 0);
        float[] row = FeatureAssembler.row(UserFeatures.empty("new"), bare);
        assertThat(row).containsOnly(0f);
    }

    @Test
    void tasteFromAnotherEncoderDimensionContributesNoSimilarity() {
        ItemFeatures wide = new ItemFeatures("i4", "x", "books", 1.0, new float[] {1, 0, 0, 0, 0}, 0);
        assertThat(FeatureAssembler.row(user, wide)[0]).isZero();
    }

    @Test
    void matrixStacksRowsOfEachItem() {
        ItemFeatures toy = new ItemFeatures("i3", "kite", "toys", 5.0, new float[] {0, 1, 0}, 0);
        float[] m = FeatureAssembler.matrix(user, List.of(book, toy));
        assertThat(m).hasSize(2 * FeatureAssembler.width());
        float[] second = java.util.Arrays.copyOfRange(m, FeatureAssembler.width(), m.length);
        assertThat(second).containsExactly(FeatureAssembler.row(user, toy));
    }

    @Test
    void featureHashIdentifiesTheNamesAndTheirOrder() {
        List<String> names = RankingFeatures.names();
        List<String> reordered = new java.util.ArrayList<>(names);
        java.util.Collections.swap(reordered, 0, 1);
        assertThat(RankingFeatures.hash()).hasSize(16).isEqualTo(RankingFeatures.hash(List.copyOf(names)));
        assertThat(RankingFeatures.hash(reordered)).isNotEqualTo(RankingFeatures.hash());
        assertThat(RankingFeatures.hash(names.subList(0, names.size() - 1))).isNotEqualTo(RankingFeatures.hash());
    }

    @Test
    void vectorsRoundTripThroughTheirRedisEncoding() {
        float[] v = {1.5f, -2.25f, 0f, 3.4028235e38f};
        assertThat(Vectors.fromBytes(Vectors.toBytes(v))).containsExactly(v);
    }

    @Test
    void decayAndAddWeightsTheNewVectorAgainstTheDecayedHistory() {
        float[] acc = Vectors.decayAndAdd(null, 0.5, new float[] {1, 0}, 2.0);
        acc = Vectors.decayAndAdd(acc, 0.5, new float[] {0, 1}, 1.0);
        assertThat(acc).containsExactly(1f, 1f);
    }
}
