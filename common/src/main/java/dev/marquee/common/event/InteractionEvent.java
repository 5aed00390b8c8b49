package dev.marquee.common.event;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.marquee.common.Ids;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;

/**
 * One user interaction, schema version {@value #SCHEMA_VERSION}. {@code eventId} is the idempotency key: a replayed
 * event changes nothing. Version 1 events (no session, context, value) are still accepted.
 *
 * @param schema    schema version the producer wrote (optional; absent means the current one)
 * @param sessionId the client's session; events without one are grouped into per-user time-window sessions
 * @param context   where it happened (optional); impressions carry the request id and position
 * @param value     the rating for {@code rating} events (0 to 5), optional otherwise (e.g. a purchase amount)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonAutoDetect(isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public record InteractionEvent(
        @Min(1) @Max(SCHEMA_VERSION) Integer schema,
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String eventId,
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
        @NotNull EventType type,
        @NotNull Instant timestamp,
        @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String sessionId,
        @Valid EventContext context,
        Double value) {

    public static final int SCHEMA_VERSION = 2;

    /** A version-2 event without session, context or value. */
    public InteractionEvent(String eventId, String userId, String itemId, EventType type, Instant timestamp) {
        this(SCHEMA_VERSION, eventId, userId, itemId, type, timestamp, null, null, null);
    }

    /** A version-2 event. */
    public InteractionEvent(String eventId, String userId, String itemId, EventType type, Instant timestamp,
                            String sessionId, EventContext context, Double value) {
        this(SCHEMA_VERSION, eventId, userId, itemId, type, timestamp, sessionId, context, value);
    }

    /** Ratings need a value between 0 and 5; other types take any finite value or none. Reported as field "value". */
    @AssertTrue(message = "rating events need a value between 0 and 5; other values must be finite numbers")
    public boolean isValue() {
        if (type == EventType.RATING) {
            return value != null && value >= 0 && value <= 5;
        }
        return value == null || Double.isFinite(value);
    }

    /** How strongly this event says "the user likes the item" (see {@link EventType#weight(Double)}). */
    @JsonIgnore
    public double weight() {
        return type.weight(value);
    }
}
