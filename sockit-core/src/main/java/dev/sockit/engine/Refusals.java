package dev.sockit.engine;

import dev.sockit.server.ServerEvents;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connections closed as soon as they were accepted, for one reason, said at most once per interval:
 * a flood of them must not flood the log too. The first refusal after a quiet interval is said at
 * once; later ones are counted and said at the interval's end (a timer, so that the last of a burst
 * is said too), with the source of the last.
 */
final class Refusals {
    static final long REPORT_EVERY_NANOS = 10_000_000_000L;

    private final ServerEvents events;
    /** Completes "refused N connection(s) ...", e.g. {@code from sources not allowed}. */
    private final String why;
    private final long reportEvery;
    private long unreported;
    private String last;
    private long lastReport;
    /** Refusals wait for a report at the end of the interval: one is scheduled. */
    private boolean reportScheduled;
    /** Flushed at stop: a refusal after that (an accept already under way) is said at once, not at an interval's end that may never come. */
    private boolean stopped;

    Refusals(ServerEvents events, String why, long reportEveryNanos) {
        this.events = events;
        this.why = why;
        this.reportEvery = reportEveryNanos;
        this.lastReport = System.nanoTime() - reportEveryNanos;
    }

    /** Counts a refusal of a connection from {@code source}. The warning goes out outside the lock: a slow log must not hold up the loops that refuse meanwhile. */
    void refused(String source) {
        String message = null;
        long delay = 0;
        synchronized (this) {
            unreported++;
            last = source;
            long now = System.nanoTime();
            if (stopped || now - lastReport >= reportEvery) {
                message = report(now);
            } else if (!reportScheduled) {
                reportScheduled = true;
                delay = lastReport + reportEvery - now;
            }
        }
        if (message != null) {
            events.warning(message);
        } else if (delay > 0) {
            CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(this::reportPending);
        }
    }

    /** Says what is still unsaid: at stop, where the interval's report would otherwise never come. */
    void flush() {
        synchronized (this) {
            stopped = true;
        }
        reportPending();
    }

    private void reportPending() {
        String message;
        synchronized (this) {
            reportScheduled = false;
            message = unreported > 0 ? report(System.nanoTime()) : null;
        }
        if (message != null) {
            events.warning(message);
        }
    }

    private String report(long now) {
        String message = "refused " + unreported + " connection(s) " + why + ", the last from " + last;
        lastReport = now;
        unreported = 0;
        return message;
    }
}
