package dev.sockit.engine;

import dev.sockit.server.ServerEvents;

import java.io.IOException;

/**
 * What an acceptor does when accept fails (most often "too many open files"), and a datagram loop when
 * receive fails: wait, longer each time up to a second, instead of spinning on a socket that stays
 * readable; report at most once per interval; say when it has recovered.
 */
final class AcceptBackoff {
    private static final long FIRST_MILLIS = 5;
    private static final long MAX_MILLIS = 1000;
    private static final long REPORT_EVERY_NANOS = 10_000_000_000L;

    private final ServerEvents events;
    private final String operation;
    private final String where;
    private long delay = FIRST_MILLIS;
    private long failures;
    private long unreported;
    private long lastReport = System.nanoTime() - REPORT_EVERY_NANOS;

    AcceptBackoff(ServerEvents events, String where) {
        this(events, "accept", where);
    }

    AcceptBackoff(ServerEvents events, String operation, String where) {
        this.events = events;
        this.operation = operation;
        this.where = where;
    }

    /** Reports (rate-limited) and waits before the next accept. */
    void failed(IOException e) throws InterruptedException {
        failures++;
        unreported++;
        long now = System.nanoTime();
        if (now - lastReport >= REPORT_EVERY_NANOS) {
            events.warning(operation + " on " + where + " failed " + unreported + " time(s): " + e.getMessage()
                    + "; backing off (up to " + MAX_MILLIS + " ms between tries) until it recovers");
            lastReport = now;
            unreported = 0;
        }
        Thread.sleep(delay);
        delay = Math.min(delay * 2, MAX_MILLIS);
    }

    void succeeded() {
        if (failures > 0) {
            events.warning(operation + " on " + where + " recovered after " + failures + " failure(s)");
            failures = 0;
            unreported = 0;
            delay = FIRST_MILLIS;
            lastReport = System.nanoTime() - REPORT_EVERY_NANOS;
        }
    }
}
