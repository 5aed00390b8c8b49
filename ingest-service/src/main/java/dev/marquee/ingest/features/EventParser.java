package dev.marquee.ingest.features;

import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the events topic's records. The form our producers write (Jackson's serialization of an
 * {@link InteractionEvent}: one object of its own fields, each once, with strings, integers, numbers, nulls and a
 * context object of its own fields; timestamps as {@link Instant#toString()} writes them) is read token by token with
 * Jackson's streaming parser. Anything else (an unknown or repeated field, a token Jackson would coerce, another
 * timestamp form, an unknown event type, malformed JSON) is left to the data binder, which reads or refuses it exactly
 * as it always did. The binder took 10 % of the stream consumer's thread (it calls record constructors and
 * {@code @JsonCreator}s through {@code MethodHandle.invokeWithArguments}); {@code EventParserTest} holds both
 * readers to the same results.
 */
final class EventParser {
    /** Thrown (without a stack trace) where the record is not in the form read here. */
    private static final class OtherForm extends RuntimeException {
        OtherForm() {
            super(null, null, false, false);
        }
    }

    private static final OtherForm OTHER_FORM = new OtherForm();
    private static final int[] SCALE = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private final JsonMapper json;
    private final ObjectReader binder;

    EventParser(JsonMapper json) {
        this.json = json;
        this.binder = json.readerFor(InteractionEvent.class);
    }

    /**
     * The event in {@code value}; {@code null} for the JSON literal {@code null}.
     *
     * @throws JacksonException         if it is not JSON or does not fit the event schema's types
     * @throws IllegalArgumentException if {@code value} is null or names an unknown event type
     */
    InteractionEvent parse(byte[] value) {
        if (value != null) {
            try (JsonParser p = json.createParser(value)) {
                return read(p);
            } catch (OtherForm | JacksonException | IllegalArgumentException e) {
                // the binder reads it, or says what is wrong with it
            }
        }
        return binder.readValue(value);
    }

    /** How a field's value is read (besides {@code null}, which every field may be). */
    private enum Kind {
        TEXT, INTEGER, NUMBER, CONTEXT
    }

    private static final Map<String, Integer> EVENT_FIELDS = indexes("schema", "eventId", "userId", "itemId", "type",
            "timestamp", "sessionId", "context", "value");
    private static final Kind[] EVENT_KINDS = {Kind.INTEGER, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT,
            Kind.TEXT, Kind.CONTEXT, Kind.NUMBER};
    private static final Map<String, Integer> CONTEXT_FIELDS = indexes("device", "page", "position", "requestId",
            "variant");
    private static final Kind[] CONTEXT_KINDS = {Kind.TEXT, Kind.TEXT, Kind.INTEGER, Kind.TEXT, Kind.TEXT};

    private static InteractionEvent read(JsonParser p) {
        Object[] f = object(p, p.nextToken(), EVENT_FIELDS, EVENT_KINDS);
        expect(p.nextToken() == null);
        String type = (String) f[4];
        String time = (String) f[5];
        Instant timestamp = time == null ? null : utcInstant(time);
        expect(time == null || timestamp != null);
        return new InteractionEvent((Integer) f[0], (String) f[1], (String) f[2], (String) f[3],
                type == null ? null : EventType.fromWire(type), timestamp, (String) f[6], (EventContext) f[7],
                (Double) f[8]);
    }

    /** The values of an object's fields, by index in {@code fields}; each field at most once, no other field. */
    private static Object[] object(JsonParser p, JsonToken start, Map<String, Integer> fields, Kind[] kinds) {
        expect(start == JsonToken.START_OBJECT);
        Object[] values = new Object[kinds.length];
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            Integer i = fields.get(p.currentName());
            expect(i != null && (seen & (1 << i)) == 0);
            seen |= 1 << i;
            JsonToken t = p.nextToken();
            values[i] = t == JsonToken.VALUE_NULL ? null : switch (kinds[i]) {
                case TEXT -> {
                    expect(t == JsonToken.VALUE_STRING);
                    yield p.getString();
                }
                case INTEGER -> {
                    expect(t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT);
                    yield p.getIntValue();
                }
                case NUMBER -> {
                    expect(t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT);
                    yield p.getDoubleValue();
                }
                case CONTEXT -> {
                    Object[] c = object(p, t, CONTEXT_FIELDS, CONTEXT_KINDS);
                    yield new EventContext((String) c[0], (String) c[1], (Integer) c[2], (String) c[3],
                            (String) c[4]);
                }
            };
        }
        expect(p.currentToken() == JsonToken.END_OBJECT);
        return values;
    }

    private static Map<String, Integer> indexes(String... names) {
        Map<String, Integer> out = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], i);
        }
        return Map.copyOf(out);
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in range (the form {@link Instant#toString()} writes),
     * read digit by digit, else {@code null}: Jackson reads it through {@code DateTimeFormatter.ISO_INSTANT}, which
     * took 6 % of the stream consumer's thread.
     */
    static Instant utcInstant(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fractionDigits = n - 21;
            if (s.charAt(19) != '.' || fractionDigits < 1) {
                return null;
            }
            int fraction = digits(s, 20, fractionDigits);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction * SCALE[fractionDigits - 1];
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3_600L + minute * 60L + second;
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The decimal number in {@code s[from, from + count)}, or -1 if a character there is not an ASCII digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static void expect(boolean canonical) {
        if (!canonical) {
            throw OTHER_FORM;
        }
    }
}
