package dev.marquee.gateway.config;

import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.Ranker;
import dev.marquee.ranking.served.ServedFeatureLog;
import dev.marquee.ranking.served.ServedFeaturesProperties;
import dev.marquee.retrieval.config.RetrievalProperties;
import dev.marquee.retrieval.source.CandidateRetriever;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * {@code marquee.gateway.serving=in-process}: the retrieval service's candidate sources (and its Milvus client and
 * embedding-service client) and the ranking service's ranker, model registry (read side: the champion is reloaded
 * from {@code marquee.ranking.model-dir} every {@code marquee.ranking.reload-interval}) and served-feature log, as
 * beans of the gateway, configured with the same properties as in their own services ({@code marquee.retrieval.*},
 * {@code marquee.ranking.*}). The trainer, {@code /candidates}, {@code /similar} and {@code /rank} stay in their
 * services.
 */
@Configuration
@ConditionalOnProperty(name = "marquee.gateway.serving", havingValue = "in-process")
@ComponentScan(basePackageClasses = {CandidateRetriever.class, RetrievalProperties.class, Ranker.class,
        ServedFeatureLog.class})
@EnableConfigurationProperties({RetrievalProperties.class, RankingProperties.class, ServedFeaturesProperties.class})
@EnableScheduling
public class InProcessServingConfig {
}
