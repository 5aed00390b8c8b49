package dev.marquee.ingest.bulk;

import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import java.util.List;

/**
 * One line or row of an upload, mapped: either a valid record or the problems that reject it.
 *
 * @param malformed the line is not a record of the expected format at all (e.g. not JSON), as opposed to a record
 *                  with invalid fields
 */
record Row<T>(T value, List<FieldProblem> problems, boolean malformed) {

    static <T> Row<T> valid(T value) {
        return new Row<>(value, List.of(), false);
    }

    static <T> Row<T> rejected(List<FieldProblem> problems) {
        return new Row<>(null, List.copyOf(problems), false);
    }

    static <T> Row<T> rejected(String field, String message) {
        return rejected(List.of(new FieldProblem(field, message)));
    }

    static <T> Row<T> malformed(String field, String message) {
        return new Row<>(null, List.of(new FieldProblem(field, message)), true);
    }

    boolean isValid() {
        return problems.isEmpty();
    }
}
