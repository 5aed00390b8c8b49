package dev.marquee.simulator.run;

import dev.marquee.common.Metrics;
import dev.marquee.common.event.EventType;
import dev.marquee.common.event.InteractionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what one mode run sent (Micrometer counters tagged with the mode, and totals for the status endpoint) and
 * logs a progress line with counts and rate at most every {@code logEveryNanos}. The wall clock here only paces the
 * log, never a decision.
 */
public final class Progress {
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    private final String mode;
    private final MeterRegistry meters;
    private final long logEveryNanos;
    private final long startNanos = System.nanoTime();
    private long lastLogNanos = startNanos;
    private final Map<EventType, AtomicLong> byType = new EnumMap<>(EventType.class);
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private final AtomicLong shown = new AtomicLong();
    private final AtomicLong clicks = new AtomicLong();
    private final Counter okRequests;
    private final Counter errorRequests;
    private final Counter shownCounter;

    private final AtomicLong total;

    /** @param mode the {@code mode} tag: backfill, live or closed_loop */
    public Progress(String mode, MeterRegistry meters, long logEveryNanos) {
        this(mode, meters, logEveryNanos, new AtomicLong());
    }

    /** @param total also counts the events sent (shared by the runs of one simulator) */
    public Progress(String mode, MeterRegistry meters, long logEveryNanos, AtomicLong total) {
        this.total = total;
        this.mode = mode;
        this.meters = meters;
        this.logEveryNanos = logEveryNanos;
        for (EventType type : EventType.values()) {
            byType.put(type, new AtomicLong());
        }
        this.okRequests = meters.counter(Metrics.SIMULATOR_REQUESTS, Metrics.TAG_OUTCOME, "ok");
        this.errorRequests = meters.counter(Metrics.SIMULATOR_REQUESTS, Metrics.TAG_OUTCOME, "error");
        this.shownCounter = meters.counter(Metrics.SIMULATOR_SHOWN);
    }

    public String mode() {
        return mode;
    }

    /** Records events that ingest accepted. */
    public void sent(List<InteractionEvent> batch) {
        for (InteractionEvent e : batch) {
            byType.get(e.type()).incrementAndGet();
            meters.counter(Metrics.SIMULATOR_EVENTS, Metrics.TAG_MODE, mode, Metrics.TAG_TYPE, e.type().wireName())
                    .increment();
        }
        events.addAndGet(batch.size());
        total.addAndGet(batch.size());
    }

    /** Records a closed-loop /recommend call, how many items it showed and how many of them the user clicked. */
    public void request(boolean ok, int itemsShown, int itemsClicked) {
        requests.incrementAndGet();
        if (ok) {
            okRequests.increment();
            shown.addAndGet(itemsShown);
            clicks.addAndGet(itemsClicked);
            shownCounter.increment(itemsShown);
        } else {
            failedRequests.incrementAndGet();
            errorRequests.increment();
        }
    }

    public long events() {
        return events.get();
    }

    public long events(EventType type) {
        return byType.get(type).get();
    }

    public long requests() {
        return requests.get();
    }

    public long failedRequests() {
        return failedRequests.get();
    }

    public long shown() {
        return shown.get();
    }

    /** Clicks on closed-loop lists. */
    public long clicks() {
        return clicks.get();
    }

    /** Clicks per shown item in the closed loop, 0 before anything was shown. */
    public double ctr() {
        long s = shown.get();
        return s == 0 ? 0 : (double) clicks.get() / s;
    }

    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Logs a progress line if the last one is older than the log interval. */
    public void maybeLog(String extra) {
        long now = System.nanoTime();
        if (now - lastLogNanos >= logEveryNanos) {
            lastLogNanos = now;
            log(extra);
        }
    }

    /** Logs a progress line now. */
    public void log(String extra) {
        double s = seconds();
        log.info("{}: {} events ({}) in {} s, {} events/s{}", mode, events.get(), byTypeText(),
                String.format(Locale.ROOT, "%.1f", s), String.format(Locale.ROOT, "%.1f", events.get() / Math.max(s, 1e-9)),
                extra.isEmpty() ? "" : "; " + extra);
    }

    private String byTypeText() {
        StringBuilder b = new StringBuilder();
        byType.forEach((type, n) -> {
            if (n.get() > 0) {
                b.append(b.length() == 0 ? "" : ", ").append(type.wireName()).append(' ').append(n.get());
            }
        });
        return b.length() == 0 ? "none" : b.toString();
    }
}
