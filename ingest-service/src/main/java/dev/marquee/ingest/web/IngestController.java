package dev.marquee.ingest.web;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.ingest.publish.RecordPublisher;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Ingestion API: validates, publishes to Kafka, answers 202 once the broker acknowledged. */
@RestController
class IngestController {
    private final RecordPublisher publisher;

    IngestController(RecordPublisher publisher) {
        this.publisher = publisher;
    }

    record Accepted(int accepted) {
    }

    record EventBatch(@NotEmpty @Size(max = 1000) List<@Valid InteractionEvent> events) {
    }

    record ItemBatch(@NotEmpty @Size(max = 1000) List<@Valid CatalogItem> items) {
    }

    @Operation(summary = "Record one interaction (view, click, purchase)")
    @PostMapping("/events")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Accepted event(@Valid @RequestBody InteractionEvent event) {
        return new Accepted(publisher.publishEvents(List.of(event)));
    }

    @Operation(summary = "Record up to 1,000 interactions; all are validated before any is published")
    @PostMapping("/events/batch")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Accepted events(@Valid @RequestBody EventBatch batch) {
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
}
