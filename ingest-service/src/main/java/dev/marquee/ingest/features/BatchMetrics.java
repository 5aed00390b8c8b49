package dev.marquee.ingest.features;

import dev.marquee.common.Metrics;
import dev.marquee.ingest.features.FeatureUpdater.StreamEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the stream consumer reports per batch: events by outcome, labelled examples, stage times, freshness. */
final class BatchMetrics {
    private final Counter applied;
    private final Counter duplicates;
    private final Counter examples;
    private final Counter displaced;
    /** Positive examples whose engagement reached the stream before its impression ({@link LabelJoiner.Early}). */
    private final Counter earlyJoined;
    private final Timer freshness;
    private final Timer phaseRead;
    private final Timer phaseCompute;
    private final Timer phaseWrite;
    /** Waiting for the writes of the batch before the previous one before reading this one. */
    private final Timer phaseWait;
    /** Waiting for a label flush round that holds one of the batch's users (part of the read stage). */
    final Timer phaseHeld;

    BatchMetrics(MeterRegistry meters) {
        this.applied = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "applied");
        this.duplicates = meters.counter(Metrics.FEATURE_EVENTS, Metrics.TAG_OUTCOME, "duplicate");
        this.examples = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "sent");
        this.displaced = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "displaced");
        this.earlyJoined = meters.counter(Metrics.LABELLED_EXAMPLES, Metrics.TAG_OUTCOME, "engagement_first");
        this.phaseRead = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "read");
        this.phaseCompute = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "compute");
        this.phaseWrite = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "write");
        this.phaseWait = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "wait");
        this.phaseHeld = meters.timer(Metrics.FEATURE_BATCH, Metrics.TAG_STAGE, "held");
        // percentiles over the last 20-30 s (three rotating 10 s buffers): what the stream is like now
        this.freshness = Timer.builder(Metrics.FEATURE_FRESHNESS).publishPercentileHistogram()
                .publishPercentiles(0.5, 0.95, 0.99)
                .distributionStatisticExpiry(Duration.ofSeconds(30)).distributionStatisticBufferLength(3)
                .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1))
                .register(meters);
    }

    /**
     * A batch whose writes Redis applied: its stage times (nanoTime marks: before waiting, after it, after the reads,
     * after computing, now), each live event's freshness, and the counts.
     */
    void written(List<StreamEvent> events, Batch b, int fresh, long waitStart, long readStart, long computeStart,
                 long writeStart) {
        long end = System.nanoTime();
        phaseWait.record(readStart - waitStart, TimeUnit.NANOSECONDS);
        phaseRead.record(computeStart - readStart, TimeUnit.NANOSECONDS);
        phaseCompute.record(writeStart - computeStart, TimeUnit.NANOSECONDS);
        phaseWrite.record(end - writeStart, TimeUnit.NANOSECONDS);
        long written = System.currentTimeMillis();
        for (StreamEvent se : events) {
            long lag = written - se.event().timestamp().toEpochMilli();
            if (lag >= 0 && lag < Duration.ofHours(1).toMillis()) { // live events only: imports would swamp it
                freshness.record(lag, TimeUnit.MILLISECONDS);
            }
        }
        applied.increment(fresh);
        duplicates.increment(events.size() - fresh);
        examples.increment(b.labels.examples().size());
        displaced.increment(b.labels.displaced());
        earlyJoined.increment(b.labels.earlyJoined());
    }
}
