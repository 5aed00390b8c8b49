package dev.marquee.ranking;

import dev.marquee.common.redis.FeatureStoreConfiguration;
import dev.marquee.common.access.ApiAccess;
import dev.marquee.common.web.BodySizeLimit;
import dev.marquee.common.web.OpenApiNullables;
import dev.marquee.common.web.ProblemAdvice;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import({ProblemAdvice.class, BodySizeLimit.class, ApiAccess.class, OpenApiNullables.class,
        FeatureStoreConfiguration.class})
public class RankingApplication {
    public static void main(String[] args) {
        SpringApplication.run(RankingApplication.class, args);
    }
}
