package dev.marquee.gateway.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.marquee.gateway.config.GatewayProperties;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentsTest {
    private static GatewayProperties props(String experiment, List<GatewayProperties.Variant> variants) {
        return new GatewayProperties("http://127.0.0.1:1", "http://127.0.0.1:2", Duration.ofMillis(150),
                Duration.ofMillis(100), 100, 0.9, 1, 64, Duration.ofSeconds(1), dev.marquee.common.serving.ServingMode.REMOTE,
                new GatewayProperties.Experiment(experiment, variants), Duration.ofSeconds(1));
    }

    private final List<GatewayProperties.Variant> split = List.of(
            new GatewayProperties.Variant("no-mmr", 0.25, 1.0, 1),
            new GatewayProperties.Variant("explore-3", 0.25, 0.9, 3));

    @Test
    void usersAreSplitByTheSharesAndTheRestIsControlWithTheDefaults() {
        Experiments experiments = new Experiments(props("policy", split));
        Map<String, Integer> counts = new HashMap<>();
        for (int u = 0; u < 20_000; u++) {
            counts.merge(experiments.armOf("user-" + u).name(), 1, Integer::sum);
        }
        assertThat(counts.get("no-mmr") / 20_000.0).isCloseTo(0.25, within(0.02));
        assertThat(counts.get("explore-3") / 20_000.0).isCloseTo(0.25, within(0.02));
        assertThat(counts.get(Experiments.CONTROL) / 20_000.0).isCloseTo(0.5, within(0.02));
        Experiments.Arm control = new Experiments(props("policy", List.of())).armOf("anyone");
        assertThat(control).isEqualTo(new Experiments.Arm(Experiments.CONTROL, 0.9, 1));
    }

    @Test
    void aUsersArmIsStableAndANewExperimentNameReshuffles() {
        Experiments a = new Experiments(props("policy", split));
        Experiments again = new Experiments(props("policy", split));
        Experiments other = new Experiments(props("policy-v2", split));
        int moved = 0;
        for (int u = 0; u < 1000; u++) {
            assertThat(again.armOf("user-" + u)).isEqualTo(a.armOf("user-" + u));
            moved += a.armOf("user-" + u).name().equals(other.armOf("user-" + u).name()) ? 0 : 1;
        }
        assertThat(moved).isGreaterThan(300);
    }
}
