package dev.marquee.ingest.publish;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/** Kafka did not acknowledge in time; the client gets 503 and should retry (event ids make retries safe). */
@ResponseStatus(HttpStatus.SERVICE_UNAVAILABLE)
public class PublishFailedException extends RuntimeException {
    public PublishFailedException(String topic, Throwable cause) {
        super("Kafka did not acknowledge records on " + topic + ": " + cause, cause);
    }
}
