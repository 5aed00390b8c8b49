package dev.marquee.common.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An impression with its outcome: {@code label} 1 when the user clicked, added to cart or bought the item within the
 * label window after seeing it, else 0. Published to {@link dev.marquee.common.Topics#EXAMPLES} for the ranking trainer.
 * Delivery is at-least-once: {@code exampleId} (request id and item) identifies duplicates.
 *
 * @param outcome the engagement that made it positive ({@code null} for negatives)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LabelledExample(String exampleId, String userId, String itemId, String requestId, Integer position,
                              String variant, Instant shownAt, int label, EventType outcome, Instant labelledAt) {

    public static String id(String requestId, String itemId) {
        return requestId + ":" + itemId;
    }
}
