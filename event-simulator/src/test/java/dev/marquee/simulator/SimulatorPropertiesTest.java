package dev.marquee.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

class SimulatorPropertiesTest {
    @Configuration
    @EnableConfigurationProperties(SimulatorProperties.class)
    static class Config {
    }

    private final ApplicationContextRunner context = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void defaultsAreTheDocumentedOnes() {
        context.run(c -> {
            assertThat(c).hasNotFailed();
            SimulatorProperties p = c.getBean(SimulatorProperties.class);
            assertThat(p.seed()).isEqualTo(7);
            assertThat(p.autoStream()).isEqualTo(SimulatorProperties.AutoStream.LIVE);
            assertThat(p.gatewayUrl()).isEqualTo("http://127.0.0.1:8080");
            assertThat(p.clicks().positionBias()).isEqualTo(1.0);
            assertThat(p.sessions().anonymousShare()).isEqualTo(0.2);
            assertThat(p.sessions().idleGap()).isEqualTo(Duration.ofMinutes(30));
            assertThat(p.backfill().perUser()).isEqualTo(20);
            assertThat(p.backfill().impressions()).isTrue();
            assertThat(p.live().rate()).isEqualTo(5.0);
            assertThat(p.live().duration()).isEqualTo(Duration.ofHours(8));
            assertThat(p.closedLoop().requests()).isEqualTo(10_000);
        });
    }

    @Test
    void nestedSettingsAndTheAutoStreamBind() {
        context.withPropertyValues("marquee.simulator.auto-stream=closed-loop",
                "marquee.simulator.clicks.position-bias=1.5", "marquee.simulator.closed-loop.rate=50",
                "marquee.simulator.ingest-url=http://localhost:18081").run(c -> {
                    assertThat(c).hasNotFailed();
                    SimulatorProperties p = c.getBean(SimulatorProperties.class);
                    assertThat(p.autoStream()).isEqualTo(SimulatorProperties.AutoStream.CLOSED_LOOP);
                    assertThat(p.clicks().toModel().examination(3)).isEqualTo(1 / Math.pow(4, 1.5));
                    assertThat(p.closedLoop().rate()).isEqualTo(50.0);
                });
    }

    @Test
    void aUrlOffThisMachineStopsStartup() {
        context.withPropertyValues("marquee.simulator.gateway-url=http://example.com:8080")
                .run(c -> assertThat(c).hasFailed().getFailure().hasStackTraceContaining("urlsAllowed"));
    }

    @Test
    void aHostCanBeAllowedOnPurpose() {
        context.withPropertyValues("marquee.simulator.allowed-hosts=127.0.0.1,gateway",
                "marquee.simulator.gateway-url=http://gateway:8080").run(c -> assertThat(c).hasNotFailed());
    }

    @Test
    void impossibleClickModelOrRatesStopStartup() {
        context.withPropertyValues("marquee.simulator.clicks.click-floor=0.6")
                .run(c -> assertThat(c).hasFailed().getFailure().hasStackTraceContaining("floorBelowCeiling"));
        context.withPropertyValues("marquee.simulator.live.rate=0")
                .run(c -> assertThat(c).hasFailed().getFailure().hasStackTraceContaining("live.rate"));
        context.withPropertyValues("marquee.simulator.closed-loop.duration=0s")
                .run(c -> assertThat(c).hasFailed().getFailure().hasStackTraceContaining("durationPositive"));
    }
}
