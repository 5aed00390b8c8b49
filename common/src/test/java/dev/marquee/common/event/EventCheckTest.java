package dev.marquee.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class EventCheckTest {
    private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();

    private static final List<String> IDS = Arrays.asList("u1", "A9", "a.b-c_d:e", "x".repeat(64), "x".repeat(65), "",
            " ", "a b", "-a", "_a", ".a", ":a", "a:", "a\n", "\u00e4b", "a/b", "a'b", "a\"b", "a==b", null);
    private static final List<String> WORDS = Arrays.asList("web", "home_page", "a.b-c", "w".repeat(32),
            "w".repeat(33), "", "-x", "a:b", "a b", "web\n", null);
    private static final List<Integer> SCHEMAS = Arrays.asList(null, 1, 2, 0, 3, -1);
    private static final List<Integer> POSITIONS = Arrays.asList(null, 0, 7, 1000, -1, 1001);
    private static final List<Double> VALUES = Arrays.asList(null, 0.0, 2.5, 5.0, -1.0, 5.01, 42.0, Double.NaN,
            Double.POSITIVE_INFINITY);

    @AfterAll
    static void close() {
        FACTORY.close();
    }

    /**
     * Events with 0 to 3 fields drawn from pools of valid and broken values: the hand-written check accepts exactly
     * what bean validation accepts.
     */
    @Test
    void acceptsExactlyTheEventsBeanValidationAccepts() {
        Random random = new Random(7);
        int accepted = 0;
        int refused = 0;
        for (int n = 0; n < 20_000; n++) {
            InteractionEvent e = generated(random);
            boolean valid = VALIDATOR.validate(e).isEmpty();
            assertThat(EventCheck.conforms(e)).as("%s (bean validation: %s)", e, VALIDATOR.validate(e))
                    .isEqualTo(valid);
            if (valid) {
                accepted++;
            } else {
                refused++;
            }
        }
        assertThat(accepted).as("valid events generated").isGreaterThan(2_000);
        assertThat(refused).as("broken events generated").isGreaterThan(2_000);
    }

    private static InteractionEvent generated(Random random) {
        String[] ids = {"e1", "u1", "i1", "s1", "r1"};
        String[] words = {"web", "home", "ab"};
        Integer schema = 2;
        Integer position = 3;
        EventType type = EventType.CLICK;
        Instant timestamp = Instant.parse("2026-11-23T12:00:00Z");
        Double value = null;
        boolean context = random.nextBoolean();
        int broken = random.nextInt(4);
        for (int i = 0; i < broken; i++) {
            switch (random.nextInt(8)) {
                case 0 -> ids[random.nextInt(ids.length)] = pick(random, IDS);
                case 1 -> words[random.nextInt(words.length)] = pick(random, WORDS);
                case 2 -> schema = pick(random, SCHEMAS);
                case 3 -> position = pick(random, POSITIONS);
                case 4 -> value = pick(random, VALUES);
                case 5 -> type = random.nextInt(8) == 0 ? null : pick(random, List.of(EventType.values()));
                case 6 -> timestamp = random.nextInt(3) == 0 ? null : timestamp;
                default -> context = !context;
            }
        }
        EventContext c = context ? new EventContext(words[0], words[1], position, ids[4], words[2]) : null;
        return new InteractionEvent(schema, ids[0], ids[1], ids[2], type, timestamp, ids[3], c, value);
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
