package dev.marquee.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.it.NeedsInfrastructure;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

/**
 * The filter rules on the popular path: serving remotely with nothing listening on the retrieval and ranking ports,
 * so the gateway has neither the candidates nor the user's features and reads what it needs itself.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "marquee.gateway.serving=remote", "marquee.gateway.retrieval-url=http://127.0.0.1:9",
        "marquee.gateway.ranking-url=http://127.0.0.1:9", "marquee.gateway.popular-cache-ttl=0s"})
@NeedsInfrastructure
class PopularPathFiltersIT extends FilterRulesOnEveryPath {
    @Override
    void assertServedByThePath(JsonNode answer) {
        assertThat(answer.get("degradedReasons").toString()).as(answer.toString()).contains("retrieval unavailable");
        answer.get("items").forEach(i -> assertThat(i.get("source").asString()).isEqualTo("Popular"));
    }
}
