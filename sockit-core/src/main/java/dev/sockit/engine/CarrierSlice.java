package dev.sockit.engine;

/**
 * How long a connection's virtual thread has kept its carrier without unmounting, and when it
 * should step aside. The virtual-thread scheduler never preempts, and a thread that never has to
 * wait (a bulk sender's reads always find data, a chatty client's polls always do) never unmounts:
 * on one CPU it would keep every other thread of the process, the acceptor among them, from
 * running. {@code Thread.yield()} is no remedy (the carrier puts the thread back in the queue it is
 * draining and takes it again at once), so the thread parks briefly once per slice instead.
 *
 * <p>A slice starts afresh whenever the thread has been off its carrier: a read or a yield that
 * took longer than {@link #WAITED_NANOS} parked the thread or let others run, and the carrier ran
 * them meanwhile. (A first version counted only from the last step aside: a connection whose reads
 * did wait then stepped aside on every message once 2 ms had passed, a timer round trip each, and
 * pingpong at 100 connections fell from ~97k to ~65k messages/s.) Times are
 * {@link System#nanoTime()}; no I/O here.
 */
final class CarrierSlice {
    /** How long a thread may keep its carrier before it steps aside. */
    static final long SLICE_NANOS = 2_000_000L;
    /**
     * A read or a yield that took longer than this was off the carrier. A read that finds data
     * returns in a microsecond or two, a yield with nothing else queued at once; a park and its
     * wake-up through the poller take tens of microseconds here, and so does another connection's turn.
     */
    static final long WAITED_NANOS = 10_000L;

    private long start;

    CarrierSlice(long now) {
        this.start = now;
    }

    /** A read or a yield from {@code from} to {@code to}: if it took long, the thread was off its carrier and a new slice starts. */
    void waited(long from, long to) {
        if (to - from > WAITED_NANOS) {
            start = to;
        }
    }

    /** Whether the thread has kept its carrier a whole slice by {@code now}: it should step aside, then call {@link #steppedAside}. */
    boolean due(long now) {
        return now - start > SLICE_NANOS;
    }

    void steppedAside(long now) {
        start = now;
    }
}
