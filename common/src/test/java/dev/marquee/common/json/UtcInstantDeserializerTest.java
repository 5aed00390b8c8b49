package dev.marquee.common.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class UtcInstantDeserializerTest {
    private static final JsonMapper JACKSON = JsonMapper.builder().build();
    private static final JsonMapper FAST = JsonMapper.builder().addModule(UtcInstantDeserializer.module()).build();

    /** Random instants as {@link Instant#toString()} writes them, and edge cases: read the same, or refused by both. */
    @Test
    void readsEveryTimestampAsJacksonDoes() {
        List<String> texts = new ArrayList<>(List.of("2026-11-23T12:00:00Z", "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T23:59:60Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z",
                "1969-12-31T23:59:59.999Z", "2026-11-23t12:00:00z", "2026-11-23T12:00:00+01:00",
                "2026-11-23T12:00:00.Z", "2026-11-23T12:00:00.1Z", "2026-11-23T12:00:00.1234567890Z",
                " 2026-11-23T12:00:00Z ", "2026-11-23T12:00Z", "2026-11-23 12:00:00Z", "2026-1-23T12:00:00Z",
                "2026-11-23T12:00:0aZ", "1700000000000", "1700000000.5", "", "yesterday", "+12026-11-23T12:00:00Z"));
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            long seconds = random.nextLong(-62_000_000_000L, 253_000_000_000L);
            int nanos = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            texts.add(Instant.ofEpochSecond(seconds, nanos).toString());
        }
        int fast = 0;
        for (String text : texts) {
            String json = "\"" + text + "\"";
            Object expected = read(JACKSON, json);
            assertThat(read(FAST, json)).as(text).isEqualTo(expected);
            if (UtcInstantDeserializer.parseUtc(text) != null) {
                fast++;
            }
        }
        assertThat(fast).as("texts read on the fast path").isGreaterThan(4_000);
        assertThat(read(FAST, "1700000000123")).isEqualTo(read(JACKSON, "1700000000123"));
    }

    private static Object read(JsonMapper mapper, String json) {
        try {
            return mapper.readValue(json, Instant.class);
        } catch (RuntimeException e) {
            return "refused";
        }
    }
}
