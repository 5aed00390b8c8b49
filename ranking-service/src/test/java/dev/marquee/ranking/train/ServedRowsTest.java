package dev.marquee.ranking.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.FeatureAssembler;
import dev.marquee.common.feature.RankingFeatures;
import dev.marquee.common.feature.ServedFeatures;
import dev.marquee.ranking.served.ServedFeaturesProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ServedRowsTest {
    private static ServedFeatures served(String requestId, String hash, String... items) {
        List<ServedFeatures.Row> rows = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            float[] f = new float[FeatureAssembler.width()];
            f[0] = i + 0.25f;
            f[f.length - 1] = requestId.length();
            rows.add(new ServedFeatures.Row(items[i], i, 1f / (i + 1), f));
        }
        return new ServedFeatures(requestId, "u-1", "v1", hash, Instant.now(), rows);
    }

    @Test
    void keepsTheNewestRowsAndMarksRowsOfAnotherFeatureListStale() {
        ServedRows rows = new ServedRows(JsonMapper.builder().build(), new ServedFeaturesProperties(20, 10, 1, 5));
        rows.add(served("r1", RankingFeatures.hash(), "a", "b", "c"));
        rows.add(served("r2", "0000000000000000", "x", "y"));
        rows.add(served("r3", RankingFeatures.hash(), "p", "q"));

        ServedRows.Snapshot log = rows.snapshot();
        assertThat(rows.rows()).as("r1 evicted: 7 rows > 5").isEqualTo(4);
        assertThat(log.find("r1", "a").kind()).isEqualTo(ServedRows.Kind.NONE);
        assertThat(log.find("r2", "y").kind()).isEqualTo(ServedRows.Kind.STALE);
        assertThat(log.find("r3", "q").kind()).isEqualTo(ServedRows.Kind.LOGGED);
        assertThat(log.find("r3", "q").row()).containsExactly(served("r3", "", "p", "q").rows().get(1).features());
        assertThat(log.find("r3", "zzz").kind()).isEqualTo(ServedRows.Kind.NONE);
        assertThat(log.find(null, "q").kind()).isEqualTo(ServedRows.Kind.NONE);
    }

    @Test
    void aRedeliveredRequestReplacesItself() {
        ServedRows rows = new ServedRows(JsonMapper.builder().build(), new ServedFeaturesProperties(20, 10, 1, 100));
        rows.add(served("r1", RankingFeatures.hash(), "a", "b"));
        rows.add(served("r1", RankingFeatures.hash(), "a", "b"));
        assertThat(rows.rows()).isEqualTo(2);
        assertThat(rows.snapshot().requests()).isEqualTo(1);
    }
}
