package dev.marquee.ingest.bulk;

import dev.marquee.common.catalog.CatalogItem;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVRecord;

/**
 * MovieLens rows (the {@code ml-latest} / {@code ml-25m} CSV layout) → catalog items and rating events. Ids become
 * {@code ml-<id>}; a rating's event id is derived from user, movie and time, so importing a file twice publishes the
 * same events again and the stream consumer, which deduplicates by event id, changes nothing the second time.
 */
final class MovieLensRows {
    static final List<String> MOVIE_COLUMNS = List.of("movieId", "title", "genres");
    static final List<String> RATING_COLUMNS = List.of("userId", "movieId", "rating", "timestamp");
    static final String PREFIX = "ml-";
    static final String NO_GENRES = "(no genres listed)";
    static final String UNKNOWN_CATEGORY = "unknown";
    /** 9999-12-31T23:59:59Z: later epoch seconds are surely a unit mistake (milliseconds). */
    private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

    private static final Map<String, String> MOVIE_FIELDS = Map.of(
            "itemId", "movieId", "category", "genres", "tags", "genres", "description", "genres");
    private static final Map<String, String> RATING_FIELDS = Map.of(
            "itemId", "movieId", "value", "rating", "eventId", "line");

    private final RecordChecker checker;

    MovieLensRows(RecordChecker checker) {
        this.checker = checker;
    }

    /**
     * {@code movieId,title,genres}: genres '|'-separated become tags; the first one the category; the title on one
     * line.
     */
    Row<CatalogItem> movie(CSVRecord row) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!shapeOk(row, MOVIE_COLUMNS, problems)) {
            return Row.rejected(problems);
        }
        Long movieId = id(row, "movieId", problems);
        if (movieId == null) {
            return Row.rejected(problems);
        }
        List<String> genres = genres(row.get("genres"));
        String description = genres.isEmpty() ? null : "Genres: " + String.join(", ", genres);
        CatalogItem item = new CatalogItem(PREFIX + movieId, oneLine(row.get("title")), description, category(genres),
                0.0, genres, null);
        return checker.check(item, MOVIE_FIELDS);
    }

    /** {@code userId,movieId,rating,timestamp}: a {@code rating} event with the rating as its value. */
    Row<InteractionEvent> rating(CSVRecord row) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!shapeOk(row, RATING_COLUMNS, problems)) {
            return Row.rejected(problems);
        }
        Long userId = id(row, "userId", problems);
        Long movieId = id(row, "movieId", problems);
        Double rating = rating(row.get("rating"), problems);
        Long seconds = epochSeconds(row.get("timestamp"), problems);
        if (!problems.isEmpty()) {
            return Row.rejected(problems);
        }
        InteractionEvent event = new InteractionEvent(ratingEventId(userId, movieId, seconds), PREFIX + userId,
                PREFIX + movieId, EventType.RATING, Instant.ofEpochSecond(seconds), null, null, rating);
        return checker.check(event, RATING_FIELDS);
    }

    /**
     * Same user, movie and time → same id; at most 5 + 19 + 1 + 19 + 1 + 12 = 57 characters, within the id rules.
     */
    static String ratingEventId(long userId, long movieId, long epochSeconds) {
        return "ml-r-" + userId + "-" + movieId + "-" + epochSeconds;
    }

    /** The '|'-separated genres, trimmed, duplicates and empties dropped; none for "(no genres listed)". */
    static List<String> genres(String field) {
        if (field == null || field.isBlank() || field.trim().equalsIgnoreCase(NO_GENRES)) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String g : field.split("\\|")) {
            if (!g.isBlank()) {
                out.add(g.trim());
            }
        }
        return List.copyOf(out);
    }

    /**
     * The first genre as the catalog names it ("Children's", "Sci-Fi"), runs of white space and control characters made
     * one space, at most 64 characters; "unknown" when nothing is left or there are no genres.
     */
    static String category(List<String> genres) {
        if (genres.isEmpty()) {
            return UNKNOWN_CATEGORY;
        }
        String c = oneLine(genres.get(0));
        if (c.codePointCount(0, c.length()) > 64) {
            c = c.substring(0, c.offsetByCodePoints(0, 64)).strip();
        }
        return c.isEmpty() ? UNKNOWN_CATEGORY : c;
    }

    /** Runs of white space and control characters as one space, stripped: a quoted CSV field may span lines. */
    static String oneLine(String s) {
        return s.replaceAll("[\\s\\p{Cc}\\u2028\\u2029]+", " ").strip();
    }

    /** Every expected column present and no extra field (an unquoted comma in a title shifts the columns). */
    private static boolean shapeOk(CSVRecord row, List<String> columns, List<FieldProblem> problems) {
        for (String column : columns) {
            if (!row.isSet(column)) {
                problems.add(new FieldProblem(column, "is missing"));
                return false;
            }
        }
        if (!row.isConsistent()) {
            problems.add(new FieldProblem("line", "has " + row.size() + " fields, the header " + row.getParser()
                    .getHeaderNames().size() + " (quote values that contain commas)"));
            return false;
        }
        return true;
    }

    private static Long id(CSVRecord row, String column, List<FieldProblem> problems) {
        String v = row.get(column);
        try {
            long id = Long.parseLong(v);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(new FieldProblem(column, "must be a non-negative integer, got '" + abbreviate(v) + "'"));
        return null;
    }

    private static Double rating(String v, List<FieldProblem> problems) {
        try {
            double r = Double.parseDouble(v);
            if (r >= 0 && r <= 5) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(new FieldProblem("rating", "must be a number from 0 to 5, got '" + abbreviate(v) + "'"));
        return null;
    }

    private static Long epochSeconds(String v, List<FieldProblem> problems) {
        try {
            long s = Long.parseLong(v);
            if (s >= 0 && s <= MAX_EPOCH_SECOND) {
                return s;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(new FieldProblem("timestamp", "must be seconds since 1970-01-01 UTC, got '" + abbreviate(v)
                + "'"));
        return null;
    }

    private static String abbreviate(String v) {
        return v.length() <= 40 ? v : v.substring(0, 40) + "…";
    }
}
