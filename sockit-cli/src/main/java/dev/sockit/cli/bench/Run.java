package dev.sockit.cli.bench;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * One run as its workers see it: the plan, the tally, the deadline, and the sockets still open, so
 * that the run can close whatever is stuck once the deadline and the timeout have passed.
 */
final class Run {
    final Plan plan;
    final Tally tally;
    /** When measuring starts: operations that start earlier are the warm-up, and not counted. */
    final long measureFrom;
    /** When the load stops: warm-up plus duration after the start. */
    final long deadline;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;
    /** Counted down once the end of the measured window has been recorded (and the server's memory read). */
    final CountDownLatch measured = new CountDownLatch(1);

    Run(Plan plan, Tally tally, long start) {
        this.plan = plan;
        this.tally = tally;
        this.measureFrom = start + plan.warmup().toNanos();
        this.deadline = measureFrom + plan.duration().toNanos();
    }

    /**
     * Whether an operation that started at {@code t} counts: it started in the measured window. An
     * operation is attributed by its start, so one that straddles an edge is counted whole or not at all.
     */
    boolean counts(long t) {
        return t - measureFrom >= 0 && t - deadline < 0;
    }

    boolean over() {
        return aborted || System.nanoTime() - deadline >= 0;
    }

    /** Connects connection {@code index} to the target, from its source address if the plan spreads them. */
    SocketChannel dial(int index) throws IOException {
        SocketChannel ch = plan.target() instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        hold(ch);
        try {
            if (plan.target() instanceof InetSocketAddress) {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                if (plan.source(index) != null) {
                    ch.bind(plan.source(index));
                }
            }
            ch.connect(plan.target());
            tally.open.incrementAndGet();
            return ch;
        } catch (IOException | RuntimeException e) {
            release(ch);
            throw e;
        }
    }

    /** Closes a channel {@link #dial} opened. */
    void hangUp(SocketChannel ch) {
        if (ch.isConnected()) {
            tally.open.decrementAndGet();
        }
        release(ch);
    }

    void hold(Closeable c) {
        open.add(c);
    }

    void release(Closeable c) {
        open.remove(c);
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Starts a worker on the kind of thread the plan asks for. */
    Thread spawn(String name, Runnable work) {
        Thread.Builder b = plan.platformThreads() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        return b.name(name).start(work);
    }

    /** Ends the run now: every socket still open is closed, which wakes a worker blocked on it. */
    void abort() {
        aborted = true;
        for (Closeable c : Set.copyOf(open)) {
            release(c);
        }
    }

    /** A worker's failure: counted as an error while the run is on, ignored once the run has ended it. */
    void failed(String what, Exception e) {
        if (!over()) {
            tally.error(what + ": " + Problems.describe(e));
        }
    }
}
