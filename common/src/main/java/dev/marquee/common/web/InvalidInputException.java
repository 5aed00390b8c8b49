package dev.marquee.common.web;

/** Input that passed bean validation but is still unacceptable; becomes a 400 problem naming {@link #field()}. */
public class InvalidInputException extends RuntimeException {
    private final String field;

    public InvalidInputException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
