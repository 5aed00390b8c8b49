package dev.marquee.ingest.features;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.json.UtcInstantDeserializer;
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
            JsonMapper.builder().addModule(UtcInstantDeserializer.module()).build(),
            JsonMapper.builder().addModule(UtcInstantDeserializer.module())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build(),
            JsonMapper.builder().addModule(UtcInstantDeserializer.module())
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
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
