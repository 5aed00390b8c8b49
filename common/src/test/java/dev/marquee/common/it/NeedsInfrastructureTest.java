package dev.marquee.common.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

class NeedsInfrastructureTest {
    @Test
    void runsWhenTheServersAreUp() {
        assertThat(NeedsInfrastructure.Condition.evaluate("up", null).isDisabled()).isFalse();
        assertThat(NeedsInfrastructure.Condition.evaluate("up", "true").isDisabled()).isFalse();
    }

    @Test
    void isSkippedOnlyWhenAskedFor() {
        assertThat(NeedsInfrastructure.Condition.evaluate(null, "true").isDisabled()).isTrue();
    }

    @Test
    void failsWithoutTheServersUnlessSkippingWasAskedFor() {
        assertThatThrownBy(() -> NeedsInfrastructure.Condition.evaluate(null, null))
                .isInstanceOf(ExtensionConfigurationException.class).hasMessageContaining("./marquee test");
        assertThatThrownBy(() -> NeedsInfrastructure.Condition.evaluate("down", "false"))
                .isInstanceOf(ExtensionConfigurationException.class);
    }
}
