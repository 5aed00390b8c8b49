package dev.marquee.ingest.features;

import dev.marquee.common.event.EventContext;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.json.UtcInstantDeserializer;
import java.time.Instant;
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
 * {@code @JsonCreator}s through {@code MethodHandle.invokeWithArguments}); {@code EventParserTest} holds both readers to
 * the same results.
 */
final class EventParser {
    /** Thrown (without a stack trace) where the record is not in the form read here. */
    private static final class OtherForm extends RuntimeException {
        OtherForm() {
            super(null, null, false, false);
        }
    }

    private static final OtherForm OTHER_FORM = new OtherForm();

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

    private static InteractionEvent read(JsonParser p) {
        expect(p.nextToken() == JsonToken.START_OBJECT);
        Integer schema = null;
        String eventId = null;
        String userId = null;
        String itemId = null;
        EventType type = null;
        Instant timestamp = null;
        String sessionId = null;
        EventContext context = null;
        Double value = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            int field;
            switch (name) {
                case "schema" -> {
                    field = 1;
                    schema = integer(p, t);
                }
                case "eventId" -> {
                    field = 2;
                    eventId = text(p, t);
                }
                case "userId" -> {
                    field = 4;
                    userId = text(p, t);
                }
                case "itemId" -> {
                    field = 8;
                    itemId = text(p, t);
                }
                case "type" -> {
                    field = 16;
                    String wire = text(p, t);
                    type = wire == null ? null : EventType.fromWire(wire);
                }
                case "timestamp" -> {
                    field = 32;
                    String text = text(p, t);
                    if (text != null) {
                        timestamp = UtcInstantDeserializer.parseUtc(text);
                        expect(timestamp != null);
                    }
                }
                case "sessionId" -> {
                    field = 64;
                    sessionId = text(p, t);
                }
                case "context" -> {
                    field = 128;
                    context = t == JsonToken.VALUE_NULL ? null : context(p, t);
                }
                case "value" -> {
                    field = 256;
                    expect(t == JsonToken.VALUE_NULL || t == JsonToken.VALUE_NUMBER_FLOAT
                            || t == JsonToken.VALUE_NUMBER_INT);
                    value = t == JsonToken.VALUE_NULL ? null : p.getDoubleValue();
                }
                default -> throw OTHER_FORM;
            }
            expect((seen & field) == 0);
            seen |= field;
        }
        expect(p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null);
        return new InteractionEvent(schema, eventId, userId, itemId, type, timestamp, sessionId, context, value);
    }

    private static EventContext context(JsonParser p, JsonToken t) {
        expect(t == JsonToken.START_OBJECT);
        String device = null;
        String page = null;
        Integer position = null;
        String requestId = null;
        String variant = null;
        int seen = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            int field;
            switch (name) {
                case "device" -> {
                    field = 1;
                    device = text(p, v);
                }
                case "page" -> {
                    field = 2;
                    page = text(p, v);
                }
                case "position" -> {
                    field = 4;
                    position = integer(p, v);
                }
                case "requestId" -> {
                    field = 8;
                    requestId = text(p, v);
                }
                case "variant" -> {
                    field = 16;
                    variant = text(p, v);
                }
                default -> throw OTHER_FORM;
            }
            expect((seen & field) == 0);
            seen |= field;
        }
        expect(p.currentToken() == JsonToken.END_OBJECT);
        return new EventContext(device, page, position, requestId, variant);
    }

    private static String text(JsonParser p, JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(t == JsonToken.VALUE_STRING);
        return p.getString();
    }

    private static Integer integer(JsonParser p, JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expect(t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT);
        return p.getIntValue();
    }

    private static void expect(boolean canonical) {
        if (!canonical) {
            throw OTHER_FORM;
        }
    }
}
