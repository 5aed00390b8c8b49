package dev.marquee.ingest.web;

import dev.marquee.ingest.bulk.BulkImporter;
import dev.marquee.ingest.bulk.ImportReport;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import java.io.InputStream;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk import of files, streamed: the body is read line by line while valid records are published, so files of any
 * size fit. 200 with a report once every valid record is acknowledged by Kafka; 400 when the body is not a stream of
 * the format at all; 503 when Kafka did not acknowledge (importing again is safe).
 */
@RestController
@RequestMapping("/import")
class ImportController {
    static final String NDJSON = "application/x-ndjson";
    static final String JSONL = "application/jsonl";
    static final String CSV = "text/csv";

    private final BulkImporter importer;

    ImportController(BulkImporter importer) {
        this.importer = importer;
    }

    @Operation(summary = "Import interactions: one InteractionEvent JSON object per line, validated like POST /events",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(mediaType = NDJSON, schema = @Schema(type = "string", format = "binary"))))
    @PostMapping(path = "/events", consumes = {NDJSON, JSONL})
    ImportReport events(@Parameter(hidden = true) InputStream body) {
        return importer.events(body);
    }

    @Operation(summary = "Import MovieLens movies.csv (movieId,title,genres) as catalog items ml-<movieId>",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(mediaType = CSV, schema = @Schema(type = "string", format = "binary"))))
    @PostMapping(path = "/movielens/movies", consumes = CSV)
    ImportReport movies(@Parameter(hidden = true) InputStream body) {
        return importer.movies(body);
    }

    @Operation(summary = "Import MovieLens ratings.csv (userId,movieId,rating,timestamp) as rating events",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(
                    content = @Content(mediaType = CSV, schema = @Schema(type = "string", format = "binary"))))
    @PostMapping(path = "/movielens/ratings", consumes = CSV)
    ImportReport ratings(@Parameter(hidden = true) InputStream body) {
        return importer.ratings(body);
    }
}
