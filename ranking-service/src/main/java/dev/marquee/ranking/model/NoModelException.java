package dev.marquee.ranking.model;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/** No model has been trained yet: callers fall back to retrieval order. */
@ResponseStatus(value = HttpStatus.SERVICE_UNAVAILABLE, reason = "no ranking model has been trained yet")
public class NoModelException extends RuntimeException {
    public NoModelException() {
        super("no ranking model has been trained yet");
    }
}
