package dev.marquee.ingest.bulk;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventTimeWindow;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.InvalidInputException;
import dev.marquee.ingest.config.IngestProperties;
import dev.marquee.ingest.publish.RecordPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.validation.Validator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bulk import of uploaded files, read as a stream: each line or row is parsed and checked with the rules of the
 * single-record endpoints, valid records are published in acknowledged batches, invalid ones are counted and the first
 * of them reported with line number and field. Only the pending batch, one line and the current user's run of events
 * (published in time order, see {@link ImportRun}) are held in memory.
 *
 * <p>A body that is not a stream of the format at all (not UTF-8, empty, a first JSONL line that is no JSON object, a
 * CSV header without the expected columns, an unterminated quote) is refused with {@link InvalidInputException}. When
 * that is found mid-file the batches before it stay published: importing the fixed file again is safe, because the
 * consumer deduplicates by event id and catalog records are keyed by item id.
 */
@Component
public class BulkImporter {
    public static final String EVENTS = "events";
    public static final String MOVIES = "movielens_movies";
    public static final String RATINGS = "movielens_ratings";

    static final CSVFormat CSV = CSVFormat.DEFAULT.builder()
            .setHeader().setSkipHeaderRecord(true).setTrim(true)
            .setIgnoreEmptyLines(false)     // blank lines come as records (skipped below): line numbers stay right
            .get();

    private final ToIntFunction<List<InteractionEvent>> eventSink;
    private final ToIntFunction<List<CatalogItem>> itemSink;
    private final IngestProperties.Import settings;
    private final MeterRegistry meters;
    private final EventLines eventLines;
    private final MovieLensRows movieLens;
    private final AtomicLong runs = new AtomicLong();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "import-progress");
        t.setDaemon(true);
        return t;
    });

    @Autowired
    BulkImporter(RecordPublisher publisher, JsonMapper json, Validator validator, IngestProperties props,
                 MeterRegistry meters) {
        this(publisher::publishEvents, publisher::publishItems, json, validator, props.bulk(), props.eventTimeWindow(),
                meters);
    }

    /** With other sinks than Kafka (tests). */
    BulkImporter(ToIntFunction<List<InteractionEvent>> eventSink, ToIntFunction<List<CatalogItem>> itemSink,
                 JsonMapper json, Validator validator, IngestProperties.Import settings, EventTimeWindow window,
                 MeterRegistry meters) {
        this.eventSink = eventSink;
        this.itemSink = itemSink;
        this.settings = settings;
        this.meters = meters;
        RecordChecker checker = new RecordChecker(validator, window);
        this.eventLines = new EventLines(json, checker);
        this.movieLens = new MovieLensRows(checker);
    }

    /** Newline-delimited JSON, one {@link InteractionEvent} per line; blank lines are skipped. */
    public ImportReport events(InputStream body) {
        try (ImportRun<InteractionEvent> run = start(EVENTS, eventSink, ImportRun.EVENTS_BY_USER_IN_TIME)) {
            LineReader lines = null;
            try {
                lines = new LineReader(utf8(body), settings.maxLineLength());
                boolean first = true;
                for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                    if (!line.tooLong() && line.text().isBlank()) {
                        continue;
                    }
                    Row<InteractionEvent> row = line.tooLong()
                            ? Row.rejected("line", "is longer than " + settings.maxLineLength() + " characters")
                            : eventLines.parse(line.text());
                    if (first && row.malformed()) {      // e.g. a CSV file or a JSON array: not JSON lines at all
                        throw new InvalidInputException("body", "line " + line.number() + " "
                                + row.problems().get(0).message() + "; expected one InteractionEvent JSON object"
                                + " per line (application/x-ndjson)");
                    }
                    first = false;
                    run.accept(line.number(), row);
                }
            } catch (IOException | UncheckedIOException e) {
                throw unreadable(run, lines == null ? 1 : lines.lineNumber() + 1, e);
            }
            if (run.records() == 0) {
                throw new InvalidInputException("body", "is empty; expected one InteractionEvent JSON object per line");
            }
            return run.finish();
        }
    }

    /** MovieLens {@code movies.csv}: header {@code movieId,title,genres}, then one movie per row. */
    public ImportReport movies(InputStream body) {
        return csv(MOVIES, body, MovieLensRows.MOVIE_COLUMNS, movieLens::movie, itemSink,
                ImportRun.Ordering.fileOrder());
    }

    /** MovieLens {@code ratings.csv}: header {@code userId,movieId,rating,timestamp}, then one rating per row. */
    public ImportReport ratings(InputStream body) {
        return csv(RATINGS, body, MovieLensRows.RATING_COLUMNS, movieLens::rating, eventSink,
                ImportRun.EVENTS_BY_USER_IN_TIME);
    }

    private <T> ImportReport csv(String format, InputStream body, List<String> columns,
                                 Function<CSVRecord, Row<T>> mapper, ToIntFunction<List<T>> sink,
                                 ImportRun.Ordering<T> ordering) {
        CSVParser parser;
        try {
            parser = CSV.parse(utf8(body));
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            throw new InvalidInputException("header", "is not a readable CSV header line: " + reason(e));
        }
        if (parser.getHeaderNames().isEmpty()) {
            throw new InvalidInputException("body", "is empty; expected a header line " + String.join(",", columns));
        }
        if (!parser.getHeaderNames().containsAll(columns)) {
            throw new InvalidInputException("header", "must name the columns " + String.join(",", columns)
                    + ", got " + String.join(",", parser.getHeaderNames()));
        }
        try (parser; ImportRun<T> run = start(format, sink, ordering)) {
            Iterator<CSVRecord> rows = parser.iterator();
            long end = parser.getCurrentLineNumber();     // the header's line
            try {
                while (rows.hasNext()) {                  // parses the next row
                    CSVRecord row = rows.next();
                    if (!(row.size() == 1 && row.get(0).isEmpty())) {
                        run.accept(end + 1, mapper.apply(row));
                    }
                    end = parser.getCurrentLineNumber();
                }
            } catch (UncheckedIOException | IllegalStateException e) {
                throw unreadable(run, end + 1, e);
            }
            return run.finish();
        } catch (IOException e) {                         // closing
            throw new UncheckedIOException(e);
        }
    }

    private <T> ImportRun<T> start(String format, ToIntFunction<List<T>> sink, ImportRun.Ordering<T> ordering) {
        return new ImportRun<>("import #" + runs.incrementAndGet() + " " + format, sink, ordering, settings.batchSize(),
                settings.maxErrors(), counter(format, "imported"), counter(format, "rejected"), ticker,
                settings.progressInterval().toMillis());
    }

    private Counter counter(String format, String outcome) {
        return Counter.builder(Metrics.IMPORT_RECORDS).description("Records read by the bulk import endpoints")
                .tag(Metrics.TAG_FORMAT, format).tag(Metrics.TAG_OUTCOME, outcome).register(meters);
    }

    /** Strict UTF-8 (malformed bytes fail instead of becoming U+FFFD); a leading byte order mark is dropped. */
    private static Reader utf8(InputStream body) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, decoder), 8192);
        reader.mark(1);
        if (reader.read() != '\uFEFF') {
            reader.reset();
        }
        return reader;
    }

    private static InvalidInputException unreadable(ImportRun<?> run, long line, Exception e) {
        String reason = reason(e);
        run.abort(reason);
        String published = run.published() == 0 ? "nothing was published"
                : run.published() + " records before it were published (importing the fixed file again is safe)";
        return new InvalidInputException("body", "is unreadable at line " + line + ": " + reason + "; " + published);
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CharacterCodingException) {
                return "not UTF-8 text";
            }
        }
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @PreDestroy
    void stop() {
        ticker.shutdownNow();
    }
}
