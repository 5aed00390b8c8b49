package dev.marquee.ranking.core;

import dev.marquee.common.serving.ConditionalOnServing;
import dev.marquee.common.serving.ServingMode;
import dev.marquee.ranking.config.RankingProperties;
import dev.marquee.ranking.model.Ranker;
import dev.marquee.ranking.served.ServedFeatureLog;
import dev.marquee.ranking.served.ServedFeaturesProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The ranking core (ranker, model registry read side: the champion is reloaded from {@code marquee.ranking.model-dir}
 * every {@code marquee.ranking.reload-interval}; served-feature log; {@link LocalRanking}) as beans of an application
 * that has this jar on its class path and serves in-process: the gateway. The trainer and the endpoints stay in the
 * ranking service.
 */
@AutoConfiguration
@ConditionalOnServing(ServingMode.IN_PROCESS)
@ComponentScan(basePackageClasses = {Ranker.class, ServedFeatureLog.class, LocalRanking.class})
@EnableConfigurationProperties({RankingProperties.class, ServedFeaturesProperties.class})
@EnableScheduling
public class RankingCoreAutoConfiguration {
}
