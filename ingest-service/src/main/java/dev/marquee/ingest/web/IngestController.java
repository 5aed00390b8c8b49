package dev.marquee.ingest.web;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventTimeWindow;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.InvalidInputException;
import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import dev.marquee.ingest.config.IngestProperties;
import dev.marquee.ingest.publish.RecordPublisher;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ingestion API: validates (the schema, then the event time window: {@link EventTimeWindow}), publishes to Kafka,
 * answers 202 once the broker acknowledged. A batch with one bad record publishes nothing.
 */
@RestController
class IngestController {
    private final RecordPublisher publisher;
    private final EventTimeWindow window;

    IngestController(RecordPublisher publisher, IngestProperties props) {
        this.publisher = publisher;
        this.window = props.eventTimeWindow();
    }

    record Accepted(int accepted) {
    }

    record EventBatch(@NotEmpty @Size(max = 1000) List<@NotNull @Valid InteractionEvent> events) {
    }

    record ItemBatch(@NotEmpty @Size(max = 1000) List<@NotNull @Valid CatalogItem> items) {
    }

    @Operation(summary = "Record one interaction (view, click, purchase)")
    @PostMapping("/events")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Accepted event(@Valid @RequestBody InteractionEvent event) {
        requireWithinWindow(List.of(event), i -> "timestamp");
        return new Accepted(publisher.publishEvents(List.of(event)));
    }

    @Operation(summary = "Record up to 1,000 interactions; all are validated before any is published")
    @PostMapping("/events/batch")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Accepted events(@Valid @RequestBody EventBatch batch) {
        requireWithinWindow(batch.events(), i -> "events[" + i + "].timestamp");
        return new Accepted(publisher.publishEvents(batch.events()));
    }

    @Operation(summary = "Add or update one catalog item")
    @PostMapping("/items")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Accepted item(@Valid @RequestBody CatalogItem item) {
        return new Accepted(publisher.publishItems(List.of(item)));
    }

    @Operation(summary = "Add or update up to 1,000 catalog items")
    @PostMapping("/items/batch")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Accepted items(@Valid @RequestBody ItemBatch batch) {
        return new Accepted(publisher.publishItems(batch.items()));
    }

    /** Refuses the events whose time is outside the window, naming each one's field ({@code field} of its index). */
    private void requireWithinWindow(List<InteractionEvent> events, IntFunction<String> field) {
        Instant now = Instant.now();
        List<FieldProblem> problems = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            String problem = window.problem(events.get(i).timestamp(), now);
            if (problem != null) {
                problems.add(new FieldProblem(field.apply(i), problem));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
    }
}
