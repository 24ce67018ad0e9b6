package dev.sockit.cli.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * When each operation of one connection is meant to start. Unpaced, it starts now. Paced (--rate),
 * starts are on a fixed schedule, and latency is measured from the scheduled start, not from when the
 * previous reply let us send: a stall then shows in the latency of every operation it delayed,
 * which is how coordinated omission is accounted for.
 */
final class Pacer {
    private final long interval;
    private long next;

    Pacer(long intervalNanos, long first) {
        this.interval = intervalNanos;
        this.next = first;
    }

    /** Waits until the next operation is due (paced) and returns the time its latency counts from. */
    long await() {
        if (interval == 0) {
            return System.nanoTime();
        }
        long due = next;
        next += interval;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
        return due;
    }
}
