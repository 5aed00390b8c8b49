package dev.marquee.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.recommend.CandidatesRequest;
import dev.marquee.common.recommend.CandidatesResponse;
import dev.marquee.common.recommend.RecommendFilters;
import dev.marquee.retrieval.source.CandidateRetriever;
import org.junit.jupiter.api.Test;
import dev.marquee.common.it.ClosedPort;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The embedding service is down (nothing listens on its port): the stated-interests source, which asks it for the
 * interests' vector, fails on every request; once 20 have failed, its circuit breaker opens and the source is skipped
 * at once, reported {@code open}, while the other sources still answer.
 */
@SpringBootTest(properties = "marquee.retrieval.circuit-open=1m")
@NeedsInfrastructure
class EmbeddingDownBreakerIT {
    private static final String SOURCE = "YourInterests";
    @Autowired
    CandidateRetriever retriever;

    @DynamicPropertySource
    static void embeddingWhereNothingListens(DynamicPropertyRegistry registry) {
        int closed = ClosedPort.number();
        registry.add("marquee.retrieval.embedding-url", () -> "http://127.0.0.1:" + closed);
    }

    @Test
    void anEmbeddingServiceThatRefusesConnectionsOpensTheInterestsBreakerAndTheSourceIsSkippedAtOnce() {
        CandidatesResponse answer = null;
        int asked = 0;
        while (asked < 30 && (answer == null || !status(answer).equals("open"))) {
            // a new text each time: no cached vector, every ask goes to the embedding service
            answer = retriever.retrieve(new CandidatesRequest("breaker-user", 20, RecommendFilters.NONE,
                    "hiking gear " + asked++));
        }
        assertThat(status(answer)).as("after %d asks: %s", asked, answer.sources()).isEqualTo("open");
        assertThat(asked).isGreaterThanOrEqualTo(21);
        assertThat(answer.degraded()).isTrue();
        assertThat(answer.reasons()).contains(SOURCE + " circuit open");
        assertThat(answer.sources()).filteredOn(r -> !r.source().equals(SOURCE))
                .allSatisfy(r -> assertThat(r.status()).isNotEqualTo("open"));
    }

    private static String status(CandidatesResponse answer) {
        return answer.sources().stream().filter(r -> r.source().equals(SOURCE)).findFirst().orElseThrow().status();
    }
}
