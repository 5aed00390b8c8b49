package dev.marquee.common.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.feature.UserFeatures;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The user's features travel with a request only inside one JVM: never on the wire, {@code null} when read back. */
class InProcessFieldsTest {
    private final JsonMapper json = JsonMapper.builder().build();
    private final UserFeatures user = new UserFeatures("u-1", new float[] {1f, 0f}, Map.of("books", 2.0), 7,
            List.of("i-9"));

    @Test
    void rankRequestJsonLeavesTheUserFeaturesOutAndReadsBackWithout() {
        RankRequest request = new RankRequest("u-1", List.of(new Candidate("i-1", 0.5, "Ann")), "r-1", null, user);

        String body = json.writeValueAsString(request);
        RankRequest read = json.readValue(body, RankRequest.class);

        assertThat(body).doesNotContain("categoryWeights").doesNotContain("\"user\"");
        assertThat(read.user()).isNull();
        assertThat(read.userId()).isEqualTo("u-1");
        assertThat(read.candidates()).extracting(Candidate::itemId).containsExactly("i-1");
    }

    @Test
    void candidatesResponseJsonLeavesTheUserFeaturesOutAndReadsBackWithout() {
        CandidatesResponse response = new CandidatesResponse("u-1", List.of(new Candidate("i-1", 0.5, "Ann")),
                List.of(new CandidatesResponse.SourceReport("Ann", 1, 0.4, "ok")), false, List.of(), null, user);

        String body = json.writeValueAsString(response);
        CandidatesResponse read = json.readValue(body, CandidatesResponse.class);

        assertThat(body).doesNotContain("categoryWeights").doesNotContain("\"user\"");
        assertThat(read.user()).isNull();
        assertThat(read.sources()).extracting(CandidatesResponse.SourceReport::status).containsExactly("ok");
    }
}
