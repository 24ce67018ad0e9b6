package dev.sockit.engine;

import dev.sockit.server.ServerEvents;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * At most so many connections at once from one source (xinetd's {@code per_source}): without it one
 * host can take every slot of the connection limit and hold them in silence. A connection past it
 * is closed as soon as it is accepted; refusals are reported at most once per interval, as a flood
 * of them would otherwise flood the log too.
 *
 * <p>What one source is ({@link Source}): an IPv4 address, or an IPv6 /64. Unix peers are local
 * processes and are not limited. Shared by all the listeners of an engine and all its threads.
 */
public final class SourceLimit {
    private static final long REPORT_EVERY_NANOS = 10_000_000_000L;

    private final int max;
    private final ServerEvents events;
    private final long reportEvery;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private long unreported;
    private String lastRefused;
    private long lastReport;
    /** Refusals wait for a report at the end of the interval: one is scheduled. */
    private boolean reportScheduled;

    /** @param max connections at once from one source; 0 for no limit */
    public SourceLimit(int max, ServerEvents events) {
        this(max, events, REPORT_EVERY_NANOS);
    }

    SourceLimit(int max, ServerEvents events, long reportEveryNanos) {
        if (max < 0) {
            throw new IllegalArgumentException("the per-source limit cannot be negative");
        }
        this.max = max;
        this.events = events;
        this.reportEvery = reportEveryNanos;
        this.lastReport = System.nanoTime() - reportEveryNanos;
    }

    /** The source of a peer named {@code 192.0.2.7:51234} or {@code [2001:db8::7]:51234}; null for one that is not limited. */
    static String sourceOf(String peer) {
        return Source.ofPeer(peer);
    }

    /**
     * Counts a newly accepted connection from {@code peer} if its source is under the limit: true
     * when it may be served (then {@link #leave} must follow when it ends), false when it must be
     * closed at once (reported here).
     */
    public boolean enter(String peer) {
        if (max == 0) {
            return true;
        }
        String source = sourceOf(peer);
        if (source == null) {
            return true;
        }
        boolean[] admitted = {false};
        open.compute(source, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            refused(source);
        }
        return admitted[0];
    }

    /** A connection {@link #enter} admitted has ended. */
    public void leave(String peer) {
        if (max == 0) {
            return;
        }
        String source = sourceOf(peer);
        if (source != null) {
            open.computeIfPresent(source, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Sources with connections open now (for tests). */
    int sources() {
        return open.size();
    }

    /**
     * Counts a refusal: said at once if nothing was said for an interval, else at the interval's end
     * (a timer, so that the last of a burst is said too). The warning goes out outside the lock: a
     * slow log must not hold up the loops that refuse meanwhile.
     */
    private void refused(String source) {
        String message = null;
        long delay = 0;
        synchronized (this) {
            unreported++;
            lastRefused = source;
            long now = System.nanoTime();
            if (now - lastReport >= reportEvery) {
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
        String message = "refused " + unreported + " connection(s) from sources that already had " + max
                + " open (the per-source limit), the last from " + lastRefused;
        lastReport = now;
        unreported = 0;
        return message;
    }
}
