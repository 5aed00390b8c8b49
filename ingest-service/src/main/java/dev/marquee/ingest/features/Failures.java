package dev.marquee.ingest.features;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/** Tells an outage of a dependency (retried for as long as it lasts) from a record the consumer cannot apply. */
final class Failures {
    private Failures() {
    }

    /**
     * Whether {@code e} or one of its causes is a failure of Redis, Kafka, the network or a wait: retrying later may
     * succeed. Anything else (an arithmetic overflow, a bad argument in the feature maths) fails again for the same
     * record, however often it is retried.
     */
    static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.lettuce.core.RedisException
                    || t instanceof org.springframework.dao.DataAccessException
                    || t instanceof org.apache.kafka.common.KafkaException
                    || t instanceof org.springframework.kafka.KafkaException
                    || t instanceof TimeoutException || t instanceof IOException
                    || t instanceof CancellationException || t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /** The failure's kind and message, the same for every repetition of the same fault. */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getName() + ": " + root.getMessage();
    }
}
