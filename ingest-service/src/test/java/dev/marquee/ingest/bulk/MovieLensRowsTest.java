package dev.marquee.ingest.bulk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import jakarta.validation.Validation;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

class MovieLensRowsTest {
    private final MovieLensRows rows =
            new MovieLensRows(new RecordChecker(Validation.buildDefaultValidatorFactory().getValidator(),
                    dev.marquee.common.event.EventTimeWindow.DEFAULT));

    @Test
    void movieWithQuotedTitleContainingCommasBecomesACatalogItem() {
        Row<CatalogItem> row = rows.movie(movie("11,\"American President, The (1995)\",Comedy|Drama|Romance"));

        assertThat(row.problems()).isEmpty();
        assertThat(row.value()).isEqualTo(new CatalogItem("ml-11", "American President, The (1995)",
                "Genres: Comedy, Drama, Romance", "Comedy", 0.0, List.of("Comedy", "Drama", "Romance"), null));
    }

    @Test
    void quotedTitleWithEscapedQuotesKeepsThem() {
        Row<CatalogItem> row = rows.movie(movie("3,\"Dr. \"\"Strange\"\", Love (1964)\",Comedy|War"));

        assertThat(row.value().title()).isEqualTo("Dr. \"Strange\", Love (1964)");
    }

    @Test
    void movieWithoutGenresGoesToTheUnknownCategoryWithoutTags() {
        Row<CatalogItem> row = rows.movie(movie("182,Some Documentary (2017),(no genres listed)"));

        assertThat(row.value().category()).isEqualTo("unknown");
        assertThat(row.value().tags()).isEmpty();
        assertThat(row.value().description()).isNull();
        assertThat(row.value().text()).isEqualTo("Some Documentary (2017)");
    }

    @Test
    void firstGenreIsTheCategoryAsTheCatalogNamesItOnOneLine() {
        assertThat(MovieLensRows.category(List.of("Children's", "Comedy"))).isEqualTo("Children's");
        assertThat(MovieLensRows.category(List.of("Sci-Fi"))).isEqualTo("Sci-Fi");
        assertThat(MovieLensRows.category(List.of("-- Épique!"))).isEqualTo("-- Épique!");
        assertThat(MovieLensRows.category(List.of("Home\t &\n Kitchen"))).isEqualTo("Home & Kitchen");
        assertThat(MovieLensRows.category(List.of(" \u0007 "))).isEqualTo("unknown");
        assertThat(MovieLensRows.category(List.of("a".repeat(80)))).hasSize(64);
        assertThat(MovieLensRows.category(List.of("🎬".repeat(80)))).isEqualTo("🎬".repeat(64));
        assertThat(MovieLensRows.genres(" Action | |Action|Drama ")).containsExactly("Action", "Drama");
    }

    @Test
    void movieWithUnquotedCommaInTitleIsRejectedInsteadOfShiftingColumns() {
        Row<CatalogItem> row = rows.movie(movie("11,American President, The (1995),Comedy"));

        assertThat(row.isValid()).isFalse();
        assertThat(row.problems()).extracting(FieldProblem::field).containsExactly("line");
        assertThat(row.problems().get(0).message()).contains("4 fields", "quote");
    }

    @Test
    void movieWithNonNumericIdOrBlankTitleIsRejectedNamingTheColumn() {
        assertThat(rows.movie(movie("x1,Heat (1995),Action")).problems())
                .extracting(FieldProblem::field).containsExactly("movieId");
        assertThat(rows.movie(movie("6,\"\",Action")).problems())
                .extracting(FieldProblem::field).containsExactly("title");
        assertThat(rows.movie(movie("6,Heat (1995)")).problems())
                .containsExactly(new FieldProblem("genres", "is missing"));
    }

    @Test
    void ratingBecomesARatingEventWithADeterministicId() {
        Row<InteractionEvent> row = rows.rating(rating("1,296,5.0,1147880044"));

        assertThat(row.problems()).isEmpty();
        InteractionEvent e = row.value();
        assertThat(e.eventId()).isEqualTo("ml-r-1-296-1147880044");
        assertThat(e.userId()).isEqualTo("ml-1");
        assertThat(e.itemId()).isEqualTo("ml-296");
        assertThat(e.type()).isEqualTo(EventType.RATING);
        assertThat(e.value()).isEqualTo(5.0);
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2006-05-17T15:34:04Z"));
        assertThat(rows.rating(rating("1,296,5.0,1147880044")).value()).isEqualTo(e);
        assertThat(rows.rating(rating("1,296,4.0,1147880045")).value().eventId()).isNotEqualTo(e.eventId());
    }

    @Test
    void ratingThatIsNotANumberOrOutOfRangeIsRejectedNamingTheRatingColumn() {
        for (String bad : List.of("five", "5.5", "-0.5", "NaN", "")) {
            Row<InteractionEvent> row = rows.rating(rating("1,296," + bad + ",1147880044"));
            assertThat(row.isValid()).as(bad).isFalse();
            assertThat(row.problems()).as(bad).extracting(FieldProblem::field).containsExactly("rating");
            assertThat(row.problems().get(0).message()).contains("from 0 to 5");
        }
    }

    @Test
    void ratingReportsEveryBadColumnAtOnce() {
        Row<InteractionEvent> row = rows.rating(rating("u1,296,3.5,1147880044000"));

        assertThat(row.problems()).extracting(FieldProblem::field).containsExactly("userId", "timestamp");
    }

    @Test
    void longestPossibleRatingIdStillFitsTheIdRules() {
        long max = Long.MAX_VALUE;
        String id = MovieLensRows.ratingEventId(max, max, 253402300799L); // 9999-12-31T23:59:59Z

        assertThat(id).hasSize(57);
        assertThat(dev.marquee.common.Ids.isValid(id)).isTrue();
        assertThat(rows.rating(rating(max + "," + max + ",3,1147880044")).problems()).isEmpty();
    }

    @Test
    void aRatingFromTheFutureIsRejectedNamingTheTimestampColumn() {
        Row<InteractionEvent> row = rows.rating(rating("1,296,3.5,253402300799"));

        assertThat(row.problems()).extracting(FieldProblem::field).containsExactly("timestamp");
        assertThat(row.problems().get(0).message()).contains("in the future");
    }

    private static CSVRecord movie(String line) {
        return parse("movieId,title,genres\n" + line + "\n");
    }

    private static CSVRecord rating(String line) {
        return parse("userId,movieId,rating,timestamp\n" + line + "\n");
    }

    private static CSVRecord parse(String csv) {
        try (CSVParser parser = BulkImporter.CSV.parse(new StringReader(csv))) {
            return parser.getRecords().get(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
