package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import dev.marquee.ranking.model.ModelRegistry;
import dev.marquee.ranking.model.RankingModel;
import org.junit.jupiter.api.BeforeEach;
import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** The filter rules on the ranked path: in-process, a champion model promoted, the answer not degraded by ranking. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=in-process", "marquee.gateway.popular-cache-ttl=0s",
        "marquee.retrieval.popular-cache-ttl=0s", "marquee.ranking.item-cache-ttl=0s",
        "marquee.ranking.reload-interval=100ms", "marquee.retrieval.embedding-url=http://127.0.0.1:9",
        // what is proven here is the filters on the ranked path, not its latency: the first requests of a fresh JVM
        // (integration tests run in their own) may outlast the default ranking budget while the JIT compiles
        "marquee.gateway.ranking-timeout=5s"})
@NeedsInfrastructure
class RankedPathFiltersIT extends FilterRulesOnEveryPath {
    private static final Path MODELS = TestModels.registryDir();
    private static final String VERSION = "filters-" + UUID.randomUUID();

    @DynamicPropertySource
    static void registry(DynamicPropertyRegistry registry) {
        registry.add("marquee.ranking.model-dir", MODELS::toString);
    }

    private static boolean promoted;
    @Autowired
    ModelRegistry registry;

    /** Promoted into the registry as the trainer would; served once the ranker's reload has seen it. */
    @BeforeEach
    void aChampionIsServed() throws Exception {
        if (!promoted) {
            TestModels.promote(MODELS, json, VERSION);
            promoted = true;
        }
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)
                && !registry.champion().map(RankingModel::version).orElse("").equals(VERSION)) {
            Thread.sleep(50);
        }
    }

    @Override
    void assertServedByThePath(JsonNode answer) {
        assertThat(answer.path("modelVersion").asString(null)).as(answer.toString()).isEqualTo(VERSION);
        assertThat(answer.get("degradedReasons").toString()).doesNotContain("ranking unavailable");
    }
}
