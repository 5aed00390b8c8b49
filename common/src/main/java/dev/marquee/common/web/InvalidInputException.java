package dev.marquee.common.web;

import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import java.util.List;

/** Input that passed bean validation but is still unacceptable; becomes a 400 problem naming each field. */
public class InvalidInputException extends RuntimeException {
    private final List<FieldProblem> problems;

    public InvalidInputException(String field, String message) {
        this(List.of(new FieldProblem(field, message)));
    }

    /** One or more problems, each naming its field. */
    public InvalidInputException(List<FieldProblem> problems) {
        super(problems.isEmpty() ? "invalid input" : problems.get(0).message());
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid input names at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The first field named. */
    public String field() {
        return problems.get(0).field();
    }

    public List<FieldProblem> problems() {
        return problems;
    }
}
