package dev.marquee.common.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Kinds of interaction, with how strongly each one says "the user likes this item". */
public enum EventType {
    VIEW(1.0),
    CLICK(2.0),
    PURCHASE(4.0);

    private final double weight;

    EventType(double weight) {
        this.weight = weight;
    }

    /** Weight of this interaction in taste vectors, category affinity and popularity. */
    public double weight() {
        return weight;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EventType fromWire(String value) {
        for (EventType type : values()) {
            if (type.wireName().equals(value)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown event type '" + value + "', expected one of " + allowed());
    }

    public static String allowed() {
        return Arrays.stream(values()).map(EventType::wireName).collect(Collectors.joining(", "));
    }
}
