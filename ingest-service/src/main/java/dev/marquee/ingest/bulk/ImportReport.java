package dev.marquee.ingest.bulk;

import java.util.List;

/**
 * What one bulk import did.
 *
 * @param records   data lines or rows read (blank lines and the CSV header excluded)
 * @param published valid records acknowledged by Kafka
 * @param rejected  invalid lines or rows, none of them published
 * @param errors    the first problems found (at most {@code marquee.ingest.import.max-errors}; a line can have several)
 */
public record ImportReport(long records, long published, long rejected, List<LineError> errors) {

    /** One problem of one line: its 1-based line number in the uploaded file, the field (or CSV column) and why. */
    public record LineError(long line, String field, String message) {
    }
}
