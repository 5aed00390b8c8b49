package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

class EventParserTest {
    private static final List<JsonMapper> MAPPERS = List.of(
            JsonMapper.builder().build(),
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build(),
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build());

    /** Events as our producers write them, then the same texts edited into forms only the data binder reads. */
    @Test
    void readsEveryRecordAsTheDataBinderDoes() {
        Random random = new Random(5);
        List<String> texts = new ArrayList<>(List.of("null", "", "[]", "{}", "{not json", "\"text\"", "42",
                "{\"eventId\":\"e1\"} {}", "{\"eventId\":\"e1\"}]", "{\"eventId\":\"e1\",\"eventId\":\"e2\"}",
                "{\"schema\":\"2\",\"eventId\":\"e1\"}", "{\"schema\":2.0}", "{\"schema\":12345678901}",
                "{\"eventId\":17,\"userId\":true}", "{\"type\":\"swipe\"}", "{\"type\":null,\"context\":null}",
                "{\"type\":\"CLICK\"}", "{\"value\":\"NaN\"}", "{\"value\":\"2.5\"}", "{\"value\":1e400}",
                "{\"timestamp\":1700000000000}", "{\"timestamp\":\"2026-11-23T12:00:00+01:00\"}",
                "{\"timestamp\":\"2026-02-30T12:00:00Z\"}", "{\"context\":{\"position\":\"3\"}}",
                "{\"context\":{\"position\":3,\"position\":4}}", "{\"context\":{\"colour\":\"red\"}}",
                "{\"context\":[1]}", "{\"context\":\"home\"}", "{\"extra\":{\"a\":[1,2]},\"eventId\":\"e1\"}"));
        for (int i = 0; i < 2_000; i++) {
            String canonical = MAPPERS.get(0).writeValueAsString(generated(random));
            texts.add(canonical);
            texts.add(edited(canonical, random));
        }
        int same = 0;
        for (JsonMapper mapper : MAPPERS) {
            EventParser parser = new EventParser(mapper);
            ObjectReader binder = mapper.readerFor(InteractionEvent.class);
            for (String text : texts) {
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                Object expected = outcome(() -> binder.readValue(bytes));
                assertThat(outcome(() -> parser.parse(bytes))).as(text).isEqualTo(expected);
                same++;
            }
        }
        assertThat(same).isEqualTo(3 * texts.size());
    }

    /**
     * Random instants as {@link Instant#toString()} writes them, and edge cases: the digit-by-digit reading gives what
     * Jackson reads, or leaves the text to Jackson (null); never a value where Jackson refuses.
     */
    @Test
    void readsTimestampsAsJacksonDoes() {
        List<String> texts = new ArrayList<>(List.of("2026-11-23T12:00:00Z", "2024-02-29T00:00:00Z",
                "2023-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T23:59:60Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999999999Z", "1969-12-31T23:59:59.999Z", "2026-11-23t12:00:00z",
                "2026-11-23T12:00:00+01:00", "2026-11-23T12:00:00.Z", "2026-11-23T12:00:00.1Z",
                "2026-11-23T12:00:00.1234567890Z", " 2026-11-23T12:00:00Z ", "2026-11-23T12:00Z",
                "2026-11-23 12:00:00Z", "2026-1-23T12:00:00Z", "2026-11-23T12:00:0aZ", "1700000000000",
                "1700000000.5", "", "yesterday", "+12026-11-23T12:00:00Z"));
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
        ObjectReader jackson = MAPPERS.get(0).readerFor(Instant.class);
        int fast = 0;
        for (String text : texts) {
            Instant read = EventParser.utcInstant(text);
            if (read != null) {
                assertThat(read).as(text).isEqualTo(outcome(() -> jackson.readValue("\"" + text + "\"")));
                fast++;
            }
        }
        assertThat(fast).as("texts read digit by digit").isGreaterThan(4_000);
    }

    private static Object outcome(java.util.function.Supplier<Object> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return e.getClass().getName();
        }
    }

    private static InteractionEvent generated(Random random) {
        EventType type = EventType.values()[random.nextInt(EventType.values().length)];
        Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000),
                random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
        EventContext context = random.nextBoolean() ? null : new EventContext(random.nextBoolean() ? "web" : null,
                "home", random.nextBoolean() ? random.nextInt(2000) - 10 : null, "r" + random.nextInt(99), null);
        Double value = random.nextInt(3) == 0 ? null : random.nextDouble() * 6 - 0.5;
        return new InteractionEvent(random.nextBoolean() ? null : random.nextInt(4), "e" + random.nextInt(),
                "u" + random.nextInt(1000), "i\u00e9" + random.nextInt(50), type, at,
                random.nextBoolean() ? null : "s" + random.nextInt(10), context, value);
    }

    /** One edit a producer of another make might do. */
    private static String edited(String json, Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> json.replaceFirst("\\{", "{\"extra\":1,");
            case 1 -> json.replace("\"timestamp\":\"", "\"timestamp\":\"  ");
            case 2 -> json.replaceFirst("\"userId\":\"u(\\d+)\"", "\"userId\":$1");
            case 3 -> json.replace("\"type\":\"", "\"type\":\"x");
            case 4 -> json + " ";
            default -> json.substring(0, json.length() - 1);
        };
    }
}
