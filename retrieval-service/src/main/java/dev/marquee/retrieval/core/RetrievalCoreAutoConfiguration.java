package dev.marquee.retrieval.core;

import dev.marquee.common.serving.ConditionalOnServing;
import dev.marquee.common.serving.OutageBreakers;
import dev.marquee.common.serving.ServingMode;
import dev.marquee.retrieval.config.RetrievalProperties;
import dev.marquee.retrieval.source.CandidateRetriever;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Import;

/**
 * The retrieval core (candidate sources, ANN lists, Milvus and embedding-service clients, {@link LocalRetrieval}) as
 * beans of an application that has this jar on its class path and serves in-process: the gateway. Configured by the
 * same {@code marquee.retrieval.*} properties as in the retrieval service; its endpoints stay in the service.
 */
@AutoConfiguration
@ConditionalOnServing(ServingMode.IN_PROCESS)
@ComponentScan(basePackageClasses = {CandidateRetriever.class, RetrievalProperties.class, LocalRetrieval.class})
@EnableConfigurationProperties(RetrievalProperties.class)
@Import(OutageBreakers.class)
public class RetrievalCoreAutoConfiguration {
}
