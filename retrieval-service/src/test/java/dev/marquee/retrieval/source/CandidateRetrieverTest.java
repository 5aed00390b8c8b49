package dev.marquee.retrieval.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.recommend.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CandidateRetrieverTest {
    private static Candidate c(String id, String source) {
        return new Candidate(id, 1.0, source);
    }

    @Test
    void interleavingRepresentsEverySourceAndKeepsTheFirstProvenance() {
        List<Candidate> ann = List.of(c("a", "Ann"), c("b", "Ann"), c("c", "Ann"), c("d", "Ann"));
        List<Candidate> coVisited = List.of(c("x", "CoVisited"), c("a", "CoVisited"));
        List<Candidate> popular = List.of(c("p", "Popular"));

        List<Candidate> merged = CandidateRetriever.interleave(List.of(ann, coVisited, popular), 5);

        assertThat(merged).extracting(Candidate::itemId).containsExactly("a", "x", "p", "b", "c");
        assertThat(merged.get(0).source()).isEqualTo("Ann");
    }

    @Test
    void interleavingStopsAtTheRequestedSize() {
        List<Candidate> ann = List.of(c("a", "Ann"), c("b", "Ann"));
        assertThat(CandidateRetriever.interleave(List.of(ann, List.of()), 1)).extracting(Candidate::itemId)
                .containsExactly("a");
        assertThat(CandidateRetriever.interleave(List.of(), 3)).isEmpty();
    }
}
