package dev.marquee.embedding;

import dev.marquee.common.redis.FeatureStoreConfiguration;
import dev.marquee.common.access.ApiAccess;
import dev.marquee.common.web.BodySizeLimit;
import dev.marquee.common.web.OpenApiNullables;
import dev.marquee.common.web.ProblemAdvice;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;

@SpringBootApplication
@ConfigurationPropertiesScan
@Import({ProblemAdvice.class, BodySizeLimit.class, ApiAccess.class, OpenApiNullables.class,
        FeatureStoreConfiguration.class})
public class EmbeddingApplication {
    public static void main(String[] args) {
        SpringApplication.run(EmbeddingApplication.class, args);
    }
}
