package dev.marquee.ingest.bulk;

import dev.marquee.common.event.EventTimeWindow;
import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The rules of the single-record endpoints, applied to one imported record: Bean Validation, then for events the
 * {@link EventTimeWindow}.
 */
final class RecordChecker {
    private final Validator validator;
    private final EventTimeWindow window;

    RecordChecker(Validator validator, EventTimeWindow window) {
        this.validator = validator;
        this.window = window;
    }

    /** Valid, or rejected with one problem per violated constraint, sorted by field. */
    <T> Row<T> check(T record) {
        return check(record, Map.of());
    }

    /**
     * @param columns renames the record's top-level fields to the names the uploaded file uses (e.g. a CSV column);
     *                nested paths keep their tail ({@code tags[2].<list element>} becomes {@code genres[2]...})
     */
    <T> Row<T> check(T record, Map<String, String> columns) {
        var violations = validator.validate(record);
        if (violations.isEmpty()) {
            String late = record instanceof InteractionEvent e ? window.problem(e.timestamp(), Instant.now()) : null;
            return late == null ? Row.valid(record)
                    : Row.rejected(columns.getOrDefault("timestamp", "timestamp"), late);
        }
        List<FieldProblem> problems = new ArrayList<>(violations.size());
        for (ConstraintViolation<T> v : violations) {
            problems.add(new FieldProblem(field(v.getPropertyPath(), columns), v.getMessage()));
        }
        problems.sort(Comparator.comparing(FieldProblem::field).thenComparing(FieldProblem::message));
        return Row.rejected(problems);
    }

    private static String field(Path path, Map<String, String> columns) {
        String full = path.toString();
        String head = path.iterator().hasNext() ? path.iterator().next().getName() : null;
        if (head == null || head.isEmpty()) {
            return "record";
        }
        String renamed = columns.get(head);
        return renamed == null ? full : renamed + full.substring(head.length());
    }
}
