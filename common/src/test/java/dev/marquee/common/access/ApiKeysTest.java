package dev.marquee.common.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeysTest {
    private static AccessProperties props(List<String> write, List<String> read) {
        return new AccessProperties(write, read, List.of("/recommend"), 100, "");
    }

    @Test
    void aWriteKeyMayReadAndWriteAReadKeyOnlyRead() {
        ApiKeys keys = new ApiKeys(props(List.of("w-1"), List.of("r-1")));
        assertThat(keys.callerOf("w-1").orElseThrow().authorities()).containsExactly(ApiKeys.READ, ApiKeys.WRITE);
        assertThat(keys.callerOf("r-1").orElseThrow().authorities()).containsExactly(ApiKeys.READ);
    }

    @Test
    void anUnknownKeyOrAPrefixOfAKnownOneNamesNoCaller() {
        ApiKeys keys = new ApiKeys(props(List.of("secret-key"), List.of()));
        assertThat(keys.callerOf("secret")).isEmpty();
        assertThat(keys.callerOf("secret-key ")).isEmpty();
        assertThat(keys.callerOf("")).isEmpty();
    }

    @Test
    void aCallerIsNamedByItsKeysDigestNeverByTheKey() {
        ApiKeys keys = new ApiKeys(props(List.of("secret-key", "other-key"), List.of()));
        String name = keys.callerOf("secret-key").orElseThrow().name();
        assertThat(name).startsWith("key-").hasSize(12).doesNotContain("secret");
        assertThat(keys.callerOf("other-key").orElseThrow().name()).isNotEqualTo(name);
    }

    @Test
    void writesAreGuardedOnlyWhenAWriteKeyIsConfiguredBlankOnesIgnored() {
        assertThat(new ApiKeys(props(List.of(), List.of("r-1"))).guarded()).isFalse();
        assertThat(new ApiKeys(props(List.of(" ", ""), List.of())).guarded()).isFalse();
        assertThat(new ApiKeys(props(List.of("w-1"), List.of())).guarded()).isTrue();
    }
}
