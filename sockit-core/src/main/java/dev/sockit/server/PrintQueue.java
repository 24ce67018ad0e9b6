package dev.sockit.server;

import dev.sockit.engine.LoopThreads;
import dev.sockit.service.Sink;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sink's printer as the engines call it. Lines go into a queue that a thread of its own writes out,
 * so that a slow or stalled standard output ({@code serve sink | slow-reader}) holds up sink alone,
 * never an event loop that serves every other connection too.
 *
 * <p>When the queue is full, a thread that serves one connection (the threads engine's) waits for
 * room, as its blocking write would have waited: TCP then slows that client down, and nothing is
 * lost. A {@link LoopThreads loop thread} (an epoll event loop, a datagram listener's loop) must not
 * wait: its line is dropped, counted, and said in a warning at most every 10 s.
 */
final class PrintQueue implements Sink.Printer {
    /** The most the queue holds, in bytes of lines: a stream's line is at most 8 KiB, a datagram's 64 KiB. */
    static final long MAX_BYTES = 1 << 20;
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Sink.Printer out;
    private final ServerEvents events;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Line> lines = new ArrayDeque<>();
    private long queued;
    private long dropped;
    private long lastWarned = System.nanoTime() - WARN_EVERY_NANOS;
    private boolean closed;
    /** Whether standard output's failure has been said (once: every line after it fails alike). */
    private boolean failureSaid;
    /** Started by the first line: a server without sink has no writer. */
    private Thread writer;

    private record Line(String peer, byte[] bytes) {
        long size() {
            return peer.length() + bytes.length + 3L;
        }
    }

    PrintQueue(Sink.Printer out, ServerEvents events) {
        this.out = out;
        this.events = events;
    }

    @Override
    public void print(String peer, byte[] bytes, int length) {
        if (!offer(new Line(peer, Arrays.copyOf(bytes, length)))) {
            warnOfDropped(false); // said here: the writer may be the one stuck on standard output
        }
    }

    /** Queues a line; false when it was dropped (a loop thread, the queue full). */
    private boolean offer(Line line) {
        lock.lock();
        try {
            while (!closed && !lines.isEmpty() && queued + line.size() > MAX_BYTES) {
                if (LoopThreads.isCurrent()) {
                    dropped++;
                    return false;
                }
                notFull.awaitUninterruptibly();
            }
            if (closed) {
                return true; // the stop is cutting this connection: what it still sends is not printed
            }
            lines.add(line);
            queued += line.size();
            if (writer == null) {
                writer = Thread.ofPlatform().daemon().name("sockit-sink-output").start(this::write);
            }
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void write() {
        while (true) {
            Line line;
            lock.lock();
            try {
                while (lines.isEmpty() && !closed) {
                    if (!notEmpty.await(WARN_EVERY_NANOS, TimeUnit.NANOSECONDS)) {
                        lock.unlock(); // idle: drops of a burst now past are said without waiting for the next line
                        try {
                            warnOfDropped(false);
                        } finally {
                            lock.lock();
                        }
                    }
                }
                line = lines.poll();
                if (line == null) {
                    return; // closed, and every line written
                }
                queued -= line.size();
                notFull.signalAll();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                out.print(line.peer(), line.bytes(), line.bytes().length);
            } catch (java.io.UncheckedIOException e) {
                if (!failureSaid) {
                    failureSaid = true;
                    events.warning("sink: " + e.getCause().getMessage() + "; its lines are lost from here");
                }
            }
            warnOfDropped(false);
        }
    }

    private void warnOfDropped(boolean now) {
        long n;
        lock.lock();
        try {
            if (dropped == 0 || (!now && System.nanoTime() - lastWarned < WARN_EVERY_NANOS)) {
                return;
            }
            n = dropped;
            dropped = 0;
            lastWarned = System.nanoTime();
        } finally {
            lock.unlock();
        }
        events.warning("sink: " + n + (n == 1 ? " line" : " lines") + " dropped: standard output did not keep up"
                + " (an event loop does not wait for it; a connection of the threads engine waits instead)");
    }

    /**
     * At stop: lets the writer write what is queued, for up to {@code wait}, and says what was dropped.
     * What is still queued then (standard output blocked) is discarded and said: nothing is printed
     * after the stop has returned.
     */
    void close(Duration wait) {
        Thread w;
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
            w = writer;
        } finally {
            lock.unlock();
        }
        boolean written = true;
        if (w != null && w != Thread.currentThread()) { // a printer of an embedder's may stop the server itself
            boolean interrupted = Thread.interrupted(); // a stop made by an interrupted thread still gives the writer its time
            try {
                written = w.join(wait);
            } catch (InterruptedException e) {
                interrupted = true;
                written = !w.isAlive();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        warnOfDropped(true);
        if (!written) {
            int left;
            lock.lock();
            try {
                left = lines.size();
                lines.clear();
                queued = 0;
            } finally {
                lock.unlock();
            }
            events.warning("sink: standard output is blocked; " + left + (left == 1 ? " line" : " lines") + " still queued were not written");
        }
    }
}
