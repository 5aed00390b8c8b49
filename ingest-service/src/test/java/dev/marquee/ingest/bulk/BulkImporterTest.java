package dev.marquee.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.marquee.common.Metrics;
import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.InvalidInputException;
import dev.marquee.ingest.bulk.ImportReport.LineError;
import dev.marquee.ingest.config.IngestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.validation.Validation;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The streaming, batching and reporting of the import endpoints, with in-memory sinks in place of Kafka. */
class BulkImporterTest {
    private static final String E1 = event("e-1", "click");
    private static final String E2 = event("e-2", "view");

    /** What each publish call received, in order. */
    private final List<List<InteractionEvent>> eventBatches = new ArrayList<>();
    private final List<List<CatalogItem>> itemBatches = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final BulkImporter importer = importer(3, 20);

    @Test
    void validLinesArePublishedInBatchesAndInvalidOnesReportedWithLineAndField() {
        String body = String.join("\n",
                E1,
                event("e-3", "teleport"),                                      // line 2: unknown type
                "",                                                            // line 3: blank, skipped
                E2,
                "{\"eventId\":\"e-5\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"view\"}", // no timestamp
                event("e-6", "view"),
                "not json at all",                                             // line 7
                event("e-8", "purchase"),
                event("e-9", "view")) + "\n";

        ImportReport report = importer.events(stream(body));

        assertThat(report.records()).isEqualTo(8);
        assertThat(report.published()).isEqualTo(5);
        assertThat(report.rejected()).isEqualTo(3);
        assertThat(report.errors()).extracting(LineError::line, LineError::field)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, "type"),
                        org.assertj.core.groups.Tuple.tuple(5L, "timestamp"),
                        org.assertj.core.groups.Tuple.tuple(7L, "line"));
        assertThat(report.errors().get(0).message()).contains("unknown event type 'teleport'");
        assertThat(eventBatches).extracting(List::size).containsExactly(3, 2);
        assertThat(eventBatches.stream().flatMap(List::stream).map(InteractionEvent::eventId))
                .containsExactly("e-1", "e-2", "e-6", "e-8", "e-9");
        assertThat(meters.get(Metrics.IMPORT_RECORDS).tags(Metrics.TAG_FORMAT, BulkImporter.EVENTS,
                Metrics.TAG_OUTCOME, "imported").counter().count()).isEqualTo(5);
        assertThat(meters.get(Metrics.IMPORT_RECORDS).tags(Metrics.TAG_FORMAT, BulkImporter.EVENTS,
                Metrics.TAG_OUTCOME, "rejected").counter().count()).isEqualTo(3);
    }

    @Test
    void eventLinesFollowTheRulesOfPostEvents() {
        String body = String.join("\r\n",
                "{\"eventId\":\"bad id!\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"view\","
                        + "\"timestamp\":\"2026-01-01T00:00:00Z\"}",
                "{\"eventId\":\"e-2\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"rating\","
                        + "\"timestamp\":\"2026-01-01T00:00:00Z\",\"value\":7}",
                "{\"eventId\":\"e-3\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"impression\","
                        + "\"timestamp\":\"2026-01-01T00:00:00Z\",\"context\":{\"position\":-1}}",
                "{\"eventId\":\"e-4\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"view\","
                        + "\"timestamp\":\"yesterday\"}",
                "[1, 2]",
                E2);

        ImportReport report = importer.events(stream(body));

        assertThat(report.errors()).extracting(LineError::line, LineError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, "eventId"),
                org.assertj.core.groups.Tuple.tuple(2L, "value"),
                org.assertj.core.groups.Tuple.tuple(3L, "context.position"),
                org.assertj.core.groups.Tuple.tuple(4L, "timestamp"),
                org.assertj.core.groups.Tuple.tuple(5L, "line"));
        assertThat(report.published()).isEqualTo(1);
        assertThat(report.rejected()).isEqualTo(5);
    }

    @Test
    void reportListsOnlyTheFirstErrorsButCountsAll() {
        BulkImporter capped = importer(1000, 2);
        String body = E1 + "\n" + IntStream.range(0, 10).mapToObj(i -> event("x" + i, "nope"))
                .collect(Collectors.joining("\n"));

        ImportReport report = capped.events(stream(body));

        assertThat(report.rejected()).isEqualTo(10);
        assertThat(report.errors()).extracting(LineError::line).containsExactly(2L, 3L);
    }

    @Test
    void lineLongerThanTheLimitIsRejectedWithoutBeingRead() {
        String huge = "{\"eventId\":\"e-9\",\"pad\":\"" + "x".repeat(5000) + "\"}";
        ImportReport report = importer(3, 20, 1024).events(stream(E1 + "\n" + huge + "\n" + E2));

        assertThat(report.records()).isEqualTo(3);
        assertThat(report.published()).isEqualTo(2);
        assertThat(report.errors()).containsExactly(new LineError(2, "line", "is longer than 1024 characters"));
    }

    @Test
    void bodyThatIsNotJsonLinesAtAllIsRefusedAndNothingPublished() {
        assertThatThrownBy(() -> importer.events(stream("movieId,title,genres\n1,Toy Story (1995),Animation\n")))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("body"))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> importer.events(stream("[" + E1 + "," + E2 + "]")))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> importer.events(stream("\n\n")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("empty");
        byte[] latin1 = (E1.replace("u-1", "ü-1") + "\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> importer.events(new ByteArrayInputStream(latin1)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("not UTF-8");
        assertThat(eventBatches).isEmpty();
    }

    @Test
    void byteOrderMarkIsIgnored() {
        ImportReport report = importer.events(stream("\uFEFF" + E1 + "\n"));

        assertThat(report.published()).isEqualTo(1);
    }

    @Test
    void movieLensMoviesStreamWithLineNumbersOfTheFile() {
        String csv = """
                movieId,title,genres
                1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
                11,"American President, The (1995)",Comedy|Drama|Romance

                x,Broken (1999),Drama
                12,"Dracula: Dead and Loving It (1995)",Comedy|Horror
                13,"Two
                Lines (2001)",Drama
                x14,Last (2002),Drama""";

        ImportReport report = importer.movies(stream(csv));

        assertThat(report.records()).isEqualTo(6);
        assertThat(report.published()).isEqualTo(4);
        assertThat(report.errors()).extracting(LineError::line, LineError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(5L, "movieId"),
                org.assertj.core.groups.Tuple.tuple(9L, "movieId"));
        assertThat(itemBatches.stream().flatMap(List::stream).map(CatalogItem::itemId))
                .containsExactly("ml-1", "ml-11", "ml-12", "ml-13");
        // a title quoted over two lines is one line in the catalog
        assertThat(itemBatches.stream().flatMap(List::stream).filter(i -> i.itemId().equals("ml-13")))
                .extracting(CatalogItem::title).containsExactly("Two Lines (2001)");
    }

    @Test
    void movieLensRatingsWithABadRatingAreReportedAndTheRestPublished() {
        String csv = "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,five,964981247\r\n"
                + "2,1,0.5,964982224\r\n";

        ImportReport report = importer.ratings(stream(csv));

        assertThat(report).isEqualTo(new ImportReport(3, 2, 1,
                List.of(new LineError(3, "rating", "must be a number from 0 to 5, got 'five'"))));
        assertThat(eventBatches.get(0)).extracting(InteractionEvent::eventId)
                .containsExactly("ml-r-1-1-964982703", "ml-r-2-1-964982224");
    }

    /** A MovieLens file lists a user's ratings by movie; the stream consumer must see them in the order they happened. */
    @Test
    void eachUsersRatingsArePublishedInTimeOrderAndUsersInFileOrder() {
        String csv = "userId,movieId,rating,timestamp\n2,1,4.0,300\n2,5,4.0,100\n2,9,4.0,200\n"
                + "1,3,4.0,50\n1,4,4.0,10\n";

        ImportReport report = importer.ratings(stream(csv));

        assertThat(report.published()).isEqualTo(5);
        assertThat(eventBatches.stream().flatMap(List::stream).map(InteractionEvent::itemId))
                .containsExactly("ml-5", "ml-9", "ml-1", "ml-4", "ml-3");
    }

    @Test
    void csvWithoutTheExpectedHeaderIsRefused() {
        assertThatThrownBy(() -> importer.ratings(stream("1,1,4.0,964982703\n")))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("header"))
                .hasMessageContaining("userId,movieId,rating,timestamp");
        assertThatThrownBy(() -> importer.movies(stream("")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("empty");
    }

    @Test
    void csvBrokenMidFileIsRefusedNamingTheLineAndWhatWasAlreadyPublished() {
        StringBuilder csv = new StringBuilder("movieId,title,genres\n");
        for (int i = 1; i <= 4; i++) {
            csv.append(i).append(",Movie ").append(i).append(",Drama\n");
        }
        csv.append("5,\"Unterminated (1999),Drama\n6,Movie 6,Drama\n");

        assertThatThrownBy(() -> importer.movies(stream(csv.toString())))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("line 6")
                .hasMessageContaining("3 records before it were published");
        assertThat(itemBatches).hasSize(1);   // the pending 4th item is not published
    }

    private BulkImporter importer(int batchSize, int maxErrors) {
        return importer(batchSize, maxErrors, 65536);
    }

    private BulkImporter importer(int batchSize, int maxErrors, int maxLineLength) {
        JsonMapper json = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        return new BulkImporter(
                batch -> {
                    eventBatches.add(List.copyOf(batch));
                    return batch.size();
                },
                batch -> {
                    itemBatches.add(List.copyOf(batch));
                    return batch.size();
                },
                json, Validation.buildDefaultValidatorFactory().getValidator(),
                new IngestProperties.Import(batchSize, Duration.ofSeconds(5), maxErrors, maxLineLength), dev.marquee.common.event.EventTimeWindow.DEFAULT, meters);
    }

    private static String event(String id, String type) {
        return "{\"eventId\":\"" + id + "\",\"userId\":\"u-1\",\"itemId\":\"i-1\",\"type\":\"" + type
                + "\",\"timestamp\":\"" + Instant.parse("2026-01-01T00:00:00Z") + "\"}";
    }

    private static InputStream stream(String body) {
        return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
    }
}
