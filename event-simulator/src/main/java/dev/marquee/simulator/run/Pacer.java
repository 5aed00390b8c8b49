package dev.marquee.simulator.run;

import java.time.Duration;

/** Paces a loop at {@code rate} slots per second and bounds it in time; it reads only the monotonic clock. */
final class Pacer {
    private final double rate;
    private final long startNanos = System.nanoTime();
    private final long durationNanos;

    Pacer(double rate, Duration duration) {
        this.rate = rate;
        this.durationNanos = duration.toNanos();
    }

    boolean withinDuration() {
        return System.nanoTime() - startNanos < durationNanos;
    }

    /** Sleeps until slot {@code n} is due ({@code n / rate} seconds after the start), never past the end. */
    void awaitSlot(long n) throws InterruptedException {
        long due = Math.min(startNanos + (long) (n / rate * 1e9), startNanos + durationNanos);
        long sleep = due - System.nanoTime();
        if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } else if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
