package dev.marquee.common.event;

import dev.marquee.common.Ids;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;

/**
 * One user interaction. {@code eventId} is the idempotency key: a replayed event changes nothing.
 */
public record InteractionEvent(
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String eventId,
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String userId,
        @NotBlank @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String itemId,
        @NotNull EventType type,
        @NotNull Instant timestamp) {
}
