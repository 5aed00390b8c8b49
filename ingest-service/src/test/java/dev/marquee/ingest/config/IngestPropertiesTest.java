package dev.marquee.ingest.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class IngestPropertiesTest {
    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Configuration
    @EnableConfigurationProperties(IngestProperties.class)
    static class Config {
    }

    @Test
    void importSettingsHaveTheDocumentedDefaults() {
        context.run(c -> assertThat(c.getBean(IngestProperties.class).bulk())
                .isEqualTo(new IngestProperties.Import(1000, Duration.ofSeconds(5), 20, 65536)));
    }

    @Test
    void importSettingsBindFromMarqueeIngestImport() {
        context.withPropertyValues("marquee.ingest.import.batch-size=50", "marquee.ingest.import.progress-interval=1s")
                .run(c -> {
                    assertThat(c.getBean(IngestProperties.class).bulk().batchSize()).isEqualTo(50);
                    assertThat(c.getBean(IngestProperties.class).bulk().progressInterval()).hasSeconds(1);
                });
    }

    @Test
    void badImportSettingsStopStartup() {
        Map<String, String> badToField = Map.of("batch-size=0", "bulk.batchSize",
                "progress-interval=0s", "bulk.progressInterval", "max-line-length=10", "bulk.maxLineLength");
        badToField.forEach((bad, field) -> context.withPropertyValues("marquee.ingest.import." + bad)
                .run(c -> assertThat(c).getFailure()
                        .hasRootCauseInstanceOf(BindValidationException.class)
                        .hasStackTraceContaining("on field '" + field + "'")));
    }
}
