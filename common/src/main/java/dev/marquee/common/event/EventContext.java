package dev.marquee.common.event;

import dev.marquee.common.Ids;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

/**
 * Where an interaction happened. Every field is optional. {@code requestId} and {@code position} tie an impression (and
 * the clicks that follow it) to the /recommend response that showed the item; {@code variant} is its A/B arm.
 *
 * @param device    e.g. {@code web}, {@code ios}, {@code android}
 * @param page      e.g. {@code home}, {@code item}, {@code search}
 * @param position  0-based slot of the item in the list the user saw
 * @param requestId the /recommend request that showed the item
 * @param variant   the experiment variant that served it
 */
public record EventContext(
        @Pattern(regexp = WORD, message = WORD_MESSAGE) String device,
        @Pattern(regexp = WORD, message = WORD_MESSAGE) String page,
        @Min(0) @Max(1000) Integer position,
        @Pattern(regexp = Ids.PATTERN, message = Ids.MESSAGE) String requestId,
        @Pattern(regexp = WORD, message = WORD_MESSAGE) String variant) {

    public static final String WORD = "^[A-Za-z0-9][A-Za-z0-9_.\\-]{0,31}$";
    public static final String WORD_MESSAGE = "must be 1-32 characters of letters, digits, '_', '.' or '-'";

    public static EventContext impression(String requestId, int position, String variant) {
        return new EventContext(null, null, position, requestId, variant);
    }
}
