package dev.marquee.common.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Kinds of interaction, with how strongly each one says "the user likes this item". */
public enum EventType {
    /** The item was shown (no preference signal; counts towards CTR and becomes a labelled example). */
    IMPRESSION(0.0),
    VIEW(1.0),
    CLICK(2.0),
    ADD_TO_CART(3.0),
    PURCHASE(4.0),
    /** An explicit rating: its weight comes from the value (see {@link #weight(Double)}). */
    RATING(0.0);

    private final double weight;
    /** The name on the wire, computed once: {@link #fromWire} runs for every event read. */
    private final String wire = name().toLowerCase(Locale.ROOT);

    EventType(double weight) {
        this.weight = weight;
    }

    /**
     * Weight of this interaction in taste vectors, category affinity and popularity. A rating weighs
     * {@code value - 2.5}: 5 stars pull like a purchase-and-a-half, 1 star pushes away.
     */
    public double weight(Double value) {
        if (this == RATING) {
            return value == null ? 0.0 : value - 2.5;
        }
        return weight;
    }

    /** Events that end an impression as a positive example (the user acted on what was shown). */
    public boolean isEngagement() {
        return this == CLICK || this == ADD_TO_CART || this == PURCHASE;
    }

    @JsonValue
    public String wireName() {
        return wire;
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
