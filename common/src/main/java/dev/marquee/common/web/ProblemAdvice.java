package dev.marquee.common.web;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.databind.DatabindException;

/**
 * Turns bad input into RFC 7807 problem responses that name the offending field(s):
 * {@code {"type", "title", "status", "detail", "errors": [{"field", "message"}]}}. Every service imports it.
 */
@RestControllerAdvice
public class ProblemAdvice {
    public static final URI INVALID_REQUEST = URI.create("https://marquee.dev/problems/invalid-request");
    public static final URI NOT_FOUND = URI.create("https://marquee.dev/problems/not-found");

    public record FieldProblem(String field, String message) {
    }

    @ExceptionHandler(MethodArgumentNotValidException.class)
    ProblemDetail invalidBody(MethodArgumentNotValidException e) {
        List<FieldProblem> errors = new ArrayList<>();
        for (FieldError fe : e.getBindingResult().getFieldErrors()) {
            errors.add(new FieldProblem(fe.getField(), fe.getDefaultMessage()));
        }
        e.getBindingResult().getGlobalErrors()
                .forEach(ge -> errors.add(new FieldProblem(ge.getObjectName(), ge.getDefaultMessage())));
        return problem(errors);
    }

    @ExceptionHandler(HandlerMethodValidationException.class)
    ProblemDetail invalidParameters(HandlerMethodValidationException e) {
        List<FieldProblem> errors = new ArrayList<>();
        e.getParameterValidationResults().forEach(r -> r.getResolvableErrors().forEach(err ->
                errors.add(new FieldProblem(fieldOf(r), err.getDefaultMessage()))));
        return problem(errors);
    }

    @ExceptionHandler(ConstraintViolationException.class)
    ProblemDetail constraintViolations(ConstraintViolationException e) {
        List<FieldProblem> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new FieldProblem(fieldOf(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort(java.util.Comparator.comparing(FieldProblem::field, java.util.Comparator.nullsLast(String::compareTo)));
        return problem(errors);
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ProblemDetail missingParameter(MissingServletRequestParameterException e) {
        return problem(List.of(new FieldProblem(e.getParameterName(), "is required")));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ProblemDetail badParameter(MethodArgumentTypeMismatchException e) {
        return problem(List.of(new FieldProblem(e.getName(), "has an invalid value '" + e.getValue() + "'")));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BodySizeLimit.BodyTooLargeException tooLarge) {
                ProblemDetail pd = problem(List.of(new FieldProblem("body", tooLarge.getMessage())));
                pd.setStatus(HttpStatus.CONTENT_TOO_LARGE);
                pd.setTitle("Payload too large");
                return pd;
            }
        }
        Throwable cause = e.getCause();
        while (cause != null && !(cause instanceof DatabindException)) {
            cause = cause.getCause();
        }
        if (cause instanceof DatabindException de && !de.getPath().isEmpty()) {
            String field = de.getPath().stream()
                    .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            Throwable root = de;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String message = root instanceof IllegalArgumentException ? root.getMessage() : "has an invalid value";
            return problem(List.of(new FieldProblem(field, message)));
        }
        return problem(List.of(new FieldProblem("body", "is not valid JSON for this endpoint")));
    }

    /** A multipart Content-Type (none of our endpoints takes one) that cannot even be parsed, e.g. no boundary. */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ProblemDetail unparsableMultipart(org.springframework.web.multipart.MultipartException e) {
        return problem(List.of(new FieldProblem("Content-Type", "is a multipart body that cannot be read: "
                + e.getMostSpecificCause().getMessage())));
    }

    @ExceptionHandler(InvalidInputException.class)
    ProblemDetail invalidInput(InvalidInputException e) {
        return problem(e.problems());
    }

    @ExceptionHandler(ItemNotFoundException.class)
    ProblemDetail notFound(ItemNotFoundException e) {
        ProblemDetail pd = ProblemDetail.forStatus(HttpStatus.NOT_FOUND);
        pd.setType(NOT_FOUND);
        pd.setTitle("Unknown item");
        pd.setDetail("itemId: " + e.getMessage());
        pd.setProperties(Map.of("errors", List.of(new FieldProblem("itemId", e.getMessage()))));
        return pd;
    }

    /**
     * The parameter (and property) path of a violation without the method: {@code k}, {@code category[1]}
     * for the second element of a list parameter.
     */
    private static String fieldOf(Path path) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, CONSTRUCTOR -> field.setLength(0);
                case CONTAINER_ELEMENT -> {
                    if (node.getIndex() != null) {
                        field.append('[').append(node.getIndex()).append(']');
                    }
                }
                default -> {
                    if (node.getIndex() != null && node.isInIterable() && !field.isEmpty()) {
                        field.append('[').append(node.getIndex()).append(']');
                    }
                    if (node.getName() != null) {
                        field.append(field.isEmpty() ? "" : ".").append(node.getName());
                    }
                }
            }
        }
        return field.isEmpty() ? null : field.toString();
    }

    private static String fieldOf(org.springframework.validation.method.ParameterValidationResult r) {
        String name = r.getMethodParameter().getParameterName();
        var requestParam = r.getMethodParameter()
                .getParameterAnnotation(org.springframework.web.bind.annotation.RequestParam.class);
        if (requestParam != null && !requestParam.name().isEmpty()) {
            name = requestParam.name();
        }
        return name;
    }

    public static ProblemDetail problem(List<FieldProblem> errors) {
        ProblemDetail pd = ProblemDetail.forStatus(HttpStatus.BAD_REQUEST);
        pd.setType(INVALID_REQUEST);
        pd.setTitle("Invalid request");
        pd.setDetail(errors.stream().map(f -> f.field() + ": " + f.message()).collect(Collectors.joining("; ")));
        pd.setProperties(Map.of("errors", errors));
        return pd;
    }
}
