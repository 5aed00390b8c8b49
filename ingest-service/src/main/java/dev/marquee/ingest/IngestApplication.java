package dev.marquee.ingest;

import dev.marquee.common.json.UtcInstantDeserializer;
import dev.marquee.common.redis.FeatureStoreConfiguration;
import dev.marquee.common.web.ProblemAdvice;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JacksonModule;

@SpringBootApplication
@ConfigurationPropertiesScan
@Import({ProblemAdvice.class, FeatureStoreConfiguration.class})
public class IngestApplication {
    public static void main(String[] args) {
        SpringApplication.run(IngestApplication.class, args);
    }

    /** Event timestamps (every record the stream consumer reads has one) are read without a DateTimeFormatter. */
    @Bean
    JacksonModule utcInstants() {
        return UtcInstantDeserializer.module();
    }
}
