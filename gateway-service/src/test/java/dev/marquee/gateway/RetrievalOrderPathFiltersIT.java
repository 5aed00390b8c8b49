package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The filter rules on the retrieval-order path: in-process, no champion in the registry, so no ranking. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=in-process", "marquee.gateway.popular-cache-ttl=0s",
        "marquee.retrieval.popular-cache-ttl=0s", "marquee.retrieval.embedding-url=http://127.0.0.1:9"})
@NeedsInfrastructure
class RetrievalOrderPathFiltersIT extends FilterRulesOnEveryPath {
    private static final Path EMPTY_REGISTRY = TestModels.registryDir();

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry registry) {
        registry.add("marquee.ranking.model-dir", EMPTY_REGISTRY::toString);
    }

    @Override
    void assertServedByThePath(JsonNode answer) {
        assertThat(answer.get("degradedReasons").toString()).as(answer.toString())
                .contains("ranking unavailable (NoModelException)").doesNotContain("retrieval unavailable");
    }
}
