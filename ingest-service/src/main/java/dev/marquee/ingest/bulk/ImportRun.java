package dev.marquee.ingest.bulk;

import dev.marquee.common.event.InteractionEvent;
import dev.marquee.common.web.ProblemAdvice.FieldProblem;
import dev.marquee.ingest.bulk.ImportReport.LineError;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one import: the pending batch, the counts, the first errors. With an {@link Ordering}, valid records
 * are published sorted within each run of consecutive lines of one key: such a run is held until the next key's line
 * (see {@link #EVENTS_BY_USER_IN_TIME}). Rows arrive on the request thread; a
 * ticker logs progress from another, so the counts it reads are volatile (one writer). The last line ("done" or
 * "aborted") is the last: the ticker's lines and it are logged under one lock, and none after it.
 */
final class ImportRun<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImportRun.class);

    private final String name;
    private final ToIntFunction<List<T>> sink;
    private final int batchSize;
    private final int maxErrors;
    private final Counter imported;
    private final Counter rejectedCounter;
    private final long startNanos = System.nanoTime();
    private final List<T> batch;
    private final List<LineError> errors = new ArrayList<>();
    private final ScheduledFuture<?> ticker;
    private volatile long records;
    private volatile long published;
    private volatile long rejected;
    private volatile long line;
    /** Guards the log lines, so that no progress line follows the last one. */
    private final Object logLock = new Object();
    private boolean ended;
    private final Ordering<T> ordering;
    /** The valid records of the current run, held until it ends ({@link #releaseRun}); unused without an ordering. */
    private final List<T> run = new ArrayList<>();
    private Object runKey;

    /**
     * Valid records are published sorted by {@code order} within each run of consecutive lines with the same
     * {@code runOf}; {@code null}s: in file order.
     */
    record Ordering<T>(Function<T, ?> runOf, Comparator<T> order) {
        static <T> Ordering<T> fileOrder() {
            return new Ordering<>(null, null);
        }
    }

    /**
     * Each user's run of events in time order: a MovieLens file lists a user's ratings by movie, not by time, and the
     * stream consumer takes a user's events in the order they come.
     */
    static final Ordering<InteractionEvent> EVENTS_BY_USER_IN_TIME = new Ordering<>(InteractionEvent::userId,
            Comparator.comparing(InteractionEvent::timestamp));

    ImportRun(String name, ToIntFunction<List<T>> sink, Ordering<T> ordering, int batchSize, int maxErrors,
              Counter imported, Counter rejected, ScheduledExecutorService scheduler, long progressMillis) {
        this.name = name;
        this.ordering = ordering;
        this.sink = sink;
        this.batchSize = batchSize;
        this.maxErrors = maxErrors;
        this.imported = imported;
        this.rejectedCounter = rejected;
        this.batch = new ArrayList<>(batchSize);
        log.info("{}: started", name);
        this.ticker = scheduler.scheduleAtFixedRate(this::logProgress, progressMillis, progressMillis,
                TimeUnit.MILLISECONDS);
    }

    /** Counts the row of this 1-based line; a valid one joins the batch, published once the batch is full. */
    void accept(long lineNumber, Row<T> row) {
        line = lineNumber;
        records++;
        if (row.isValid()) {
            if (ordering.runOf() == null) {
                add(row.value());
                return;
            }
            Object key = ordering.runOf().apply(row.value());
            if (!key.equals(runKey)) {
                releaseRun();
                runKey = key;
            }
            run.add(row.value());
            return;
        }
        rejected++;
        rejectedCounter.increment();
        for (FieldProblem p : row.problems()) {
            if (errors.size() < maxErrors) {
                errors.add(new LineError(lineNumber, p.field(), p.message()));
            }
        }
    }

    /** Publishes what is pending and reports. */
    ImportReport finish() {
        releaseRun();
        flush();
        end(() -> log.info("{}: done, {}", name, progress()));
        return new ImportReport(records, published, rejected, List.copyOf(errors));
    }

    long records() {
        return records;
    }

    long published() {
        return published;
    }

    /** Line of the last row accepted (0 before the first). */
    long line() {
        return line;
    }

    @Override
    public void close() {
        ticker.cancel(false);
    }

    /** Stops without publishing the pending batch (the upload turned out to be unreadable). */
    void abort(String reason) {
        end(() -> log.warn("{}: aborted at line {}: {}; {}", name, line + 1, reason, progress()));
    }

    private void logProgress() {
        synchronized (logLock) {
            if (!ended) {
                log.info("{}: {}", name, progress());
            }
        }
    }

    /** Stops the progress lines and logs the last one. */
    private void end(Runnable lastLine) {
        ticker.cancel(false);
        synchronized (logLock) {
            ended = true;
            lastLine.run();
        }
    }

    private void add(T value) {
        batch.add(value);
        if (batch.size() >= batchSize) {
            flush();
        }
    }

    /** The held run, sorted, into the batch. */
    private void releaseRun() {
        run.sort(ordering.order());
        run.forEach(this::add);
        run.clear();
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        int n = sink.applyAsInt(batch);
        published += n;
        imported.increment(n);
        batch.clear();
    }

    private String progress() {
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        long r = records;
        return String.format(Locale.ROOT, "%d records (%d published, %d rejected) in %.1f s, %.0f records/s",
                r, published, rejected, seconds, r / seconds);
    }
}
