package dev.marquee.common.feature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserStateTest {
    private static final long MINUTE = 60_000;

    /** A state with every field set: taste, two categories, two recent items, a session and a pending impression. */
    private static UserState everyField() {
        UserState s = UserState.empty();
        s.advanceTo(1_000);
        s.addTaste(0.9, new float[] {0.6f, -0.8f, 0}, 2.0);
        s.addCategory(1.0, "books", 2.0, 16);
        s.addCategory(0.5, "home and garden", 1.0, 16);
        s.addRecent("i1", 30);
        s.addRecent("i2", 30);
        s.countEvent();
        s.enterSession("s1", 1_000, Long.MIN_VALUE, 30 * MINUTE);
        s.addSessionItem("i2", 10);
        s.pending().put("i9", "r1|0|a|900");
        return s;
    }

    @Test
    void encodedStateDecodesToTheSameFeatures() {
        UserState s = everyField();

        UserState back = UserState.fromBytes(s.toBytes());

        UserFeatures a = s.features("u");
        UserFeatures b = back.features("u");
        assertThat(b.taste()).containsExactly(a.taste());
        assertThat(b.categoryWeights()).isEqualTo(a.categoryWeights())
                .containsOnlyKeys("books", "home and garden");
        assertThat(b.recentItems()).containsExactly("i2", "i1");
        assertThat(b.eventCount()).isEqualTo(1);
        assertThat(back.session()).isEqualTo("s1");
        assertThat(back.lastMillis()).isEqualTo(1_000);
        assertThat(back.pending()).containsExactly(Map.entry("i9", "r1|0|a|900"));
        assertThat(back.toBytes()).as("re-encoding what was read writes the same bytes").containsExactly(s.toBytes());
    }

    @Test
    void servingReadsTheSameFeaturesAsTheFullDecode() {
        byte[] stored = everyField().toBytes();

        UserFeatures full = UserState.fromBytes(stored).features("u");
        UserFeatures serving = UserState.features(stored, "u");
        assertThat(serving.taste()).containsExactly(full.taste());
        assertThat(serving).usingRecursiveComparison().isEqualTo(full);
        assertThat(UserState.features(null, "u")).usingRecursiveComparison()
                .isEqualTo(UserState.fromBytes(null).features("u"));
        assertThat(UserState.features(UserState.empty().toBytes(), "u")).usingRecursiveComparison()
                .isEqualTo(UserState.empty().features("u"));
    }

    @Test
    void textOutsideAsciiRoundTrips() {
        UserState s = UserState.empty();
        s.addCategory(1.0, "K\u00fcche & Garten", 1.0, 16);
        s.enterSession("s\u00e9ance", 1_000, Long.MIN_VALUE, 30 * MINUTE);
        s.addRecent("i1", 30);
        s.pending().put("i\u00df", "r\u00e9|1");
        UserState back = UserState.fromBytes(s.toBytes());
        assertThat(back.categories()).containsOnlyKeys("K\u00fcche & Garten");
        assertThat(back.session()).isEqualTo("s\u00e9ance");
        assertThat(back.pending()).containsExactly(Map.entry("i\u00df", "r\u00e9|1"));
        assertThat(back.recent()).containsExactly("i1");
    }

    @Test
    void aNewUserHasNoStateAndAnEmptyStateRoundTrips() {
        assertThat(UserState.fromBytes(null).count()).isZero();
        UserState back = UserState.fromBytes(UserState.empty().toBytes());
        assertThat(back.taste()).isNull();
        assertThat(back.session()).isNull();
        assertThat(back.recent()).isEmpty();
        assertThat(back.pending()).isEmpty();
        assertThat(back.lastMillis()).isEqualTo(Long.MIN_VALUE);
    }

    /** Format 1 (category weights as text) was written before; such states are read until they expire. */
    @Test
    void aStateWrittenInTheFormerFormatIsStillRead() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(1);
        String[] fields = {null, "i2,i1", "books:1.5,home and garden:0.25", "1000", "3", "s1", "i2", "i9=r1|0|a|900"};
        for (String f : fields) {
            byte[] b = f == null ? new byte[0] : f.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.write(f == null ? 0 : b.length + 1);
            out.writeBytes(b);
        }
        UserState back = UserState.fromBytes(out.toByteArray());
        assertThat(back.categories()).containsExactly(Map.entry("books", 1.5), Map.entry("home and garden", 0.25));
        assertThat(back.recent()).containsExactly("i2", "i1");
        assertThat(back.count()).isEqualTo(3);
        assertThat(back.lastMillis()).isEqualTo(1000);
        assertThat(back.pending()).containsExactly(Map.entry("i9", "r1|0|a|900"));
        assertThat(UserState.features(out.toByteArray(), "u")).as("as serving reads it").usingRecursiveComparison()
                .isEqualTo(back.features("u"));
        assertThat(UserState.fromBytes(back.toBytes()).categories()).as("rewritten in the current format")
                .isEqualTo(back.categories());
        assertThat(back.toBytes()[0]).isEqualTo(UserState.FORMAT);
    }

    @Test
    void aStateOfAnotherFormatIsRefused() {
        byte[] stored = UserState.empty().toBytes();
        stored[0] = 9;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> UserState.fromBytes(stored))
                .hasMessageContaining("unknown user state format 9");
    }

    @Test
    void quantisedTasteKeepsDirectionWithinOnePercent() {
        float[] v = new float[128];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        assertThat(Vectors.cosine(UserState.stored(v), v)).isGreaterThan(0.99);
        assertThat(UserState.quantize(v)).hasSize(4 + 128);
    }

    /** The stored layout (readers in every service decode it): float32 scale, little-endian, then one int8 each. */
    @Test
    void quantisedTasteIsScaleThenOneBytePerDimension() {
        float[] v = {0.5f, -1.27f, 0.01f, 0f};
        java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float scale = 1.27f / 127f;
        expected.putFloat(scale);
        for (float x : v) {
            expected.put((byte) Math.round(x / scale));
        }
        assertThat(UserState.quantize(v)).containsExactly(expected.array());
        assertThat(UserState.dequantize(expected.array())).containsExactly(50 * scale, -127 * scale, 1 * scale, 0f);
    }

    /** What the consumer keeps in memory between events is exactly what a later read of the stored hash gives. */
    @Test
    void tasteReadBackEqualsTasteInMemory() {
        java.util.Random random = new java.util.Random(5);
        UserState s = UserState.empty();
        for (int event = 0; event < 200; event++) {
            float[] item = new float[128];
            for (int i = 0; i < item.length; i++) {
                item[i] = (float) random.nextGaussian();
            }
            s.addTaste(0.95, item, 1 + random.nextInt(4));
            UserState back = UserState.fromBytes(s.toBytes());
            assertThat(back.taste()).containsExactly(s.taste());
            assertThat(back.toBytes()).as("re-encoding what was read writes the same bytes")
                    .containsExactly(s.toBytes());
            s = back;
        }
    }

    @Test
    void categoriesDecayAddAndKeepOnlyTheStrongest() {
        UserState s = UserState.empty();
        s.addCategory(1.0, "a", 4.0, 2);
        s.addCategory(0.5, "b", 1.0, 2);     // a: 2, b: 1
        s.addCategory(0.5, "c", 3.0, 2);     // a: 1, b: 0.5 (dropped), c: 3
        assertThat(s.categories()).containsOnlyKeys("a", "c");
        assertThat(s.categories().get("a")).isCloseTo(1.0, within(1e-6));
        assertThat(s.categories().get("c")).isCloseTo(3.0, within(1e-6));
        s.addCategory(1.0, "c", -5.0, 2);    // a one-star rating can take a category away
        assertThat(s.categories()).containsOnlyKeys("a");
    }

    @Test
    void eventsWithoutSessionIdStartANewSessionAfterTheGap() {
        UserState s = UserState.empty();
        assertThat(s.enterSession(null, 0, Long.MIN_VALUE, 30 * MINUTE)).isEmpty();
        s.addSessionItem("a", 10);
        assertThat(s.enterSession(null, 10 * MINUTE, 0, 30 * MINUTE)).containsExactly("a");
        s.addSessionItem("b", 10);
        assertThat(s.enterSession(null, 50 * MINUTE, 10 * MINUTE, 30 * MINUTE)).isEmpty();
        s.addSessionItem("c", 10);
        assertThat(s.enterSession("explicit", 51 * MINUTE, 50 * MINUTE, 30 * MINUTE)).isEmpty();
    }

    @Test
    void recentItemsMoveToTheFrontAndAreCapped() {
        UserState s = UserState.empty();
        for (String id : List.of("a", "b", "c", "a", "d")) {
            s.addRecent(id, 3);
        }
        assertThat(s.recent()).containsExactly("d", "a", "c");
    }

    @Test
    void lateEventsDecayNothing() {
        UserState s = UserState.empty();
        assertThat(s.advanceTo(10_000)).isZero();
        assertThat(s.advanceTo(15_000)).isEqualTo(5_000);
        assertThat(s.advanceTo(12_000)).isZero();
        assertThat(s.lastMillis()).isEqualTo(15_000);
        assertThat(UserState.decay(7_000, 7_000)).isEqualTo(0.5);
    }

}
