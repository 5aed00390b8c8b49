package dev.marquee.ingest.bulk;

import dev.marquee.common.event.InteractionEvent;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;

/** One JSONL line → an {@link InteractionEvent} checked with the rules of {@code POST /events}. */
final class EventLines {
    private final JsonMapper json;
    private final RecordChecker checker;

    EventLines(JsonMapper json, RecordChecker checker) {
        this.json = json;
        this.checker = checker;
    }

    Row<InteractionEvent> parse(String line) {
        InteractionEvent event;
        try {
            event = json.readValue(line, InteractionEvent.class);
        } catch (StreamReadException e) {
            return Row.malformed("line", "is not a JSON object: " + e.getOriginalMessage());
        } catch (DatabindException e) {
            if (e.getPath().isEmpty()) {
                return Row.malformed("line", "is not one JSON object: " + e.getOriginalMessage());
            }
            return Row.rejected(path(e), message(e));
        } catch (JacksonException e) {
            return Row.malformed("line", "is not a JSON object: " + e.getOriginalMessage());
        }
        if (event == null) {
            return Row.malformed("line", "is not a JSON object: null");
        }
        return checker.check(event);
    }

    /** The same field naming as the problem responses of the single-record endpoints. */
    private static String path(DatabindException e) {
        return e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String message(DatabindException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root instanceof IllegalArgumentException ? root.getMessage() : "has an invalid value";
    }
}
