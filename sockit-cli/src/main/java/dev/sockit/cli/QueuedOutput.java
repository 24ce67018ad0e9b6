package dev.sockit.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * serve's log on its way to stderr, written by a thread of its own: the engines report a connection's
 * end on the thread that served it, an epoll event loop among them, and a stderr that stops taking
 * lines (a terminal held by Ctrl-S, a pipe nobody reads) must stop no event loop. At most 1 MiB waits;
 * a line that does not fit is dropped, counted, and said once stderr takes lines again. A PrintStream
 * over it hands each println over in one write, so a line is kept or dropped whole.
 */
final class QueuedOutput extends OutputStream {
    static final long MAX_BYTES = 1 << 20;

    private final OutputStream out;
    private final LongFunction<String> droppedLine;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> writes = new ArrayDeque<>();
    private long queued;
    private long dropped;
    private boolean writing;

    /** @param droppedLine the line that says how many were dropped, in the log's own form */
    QueuedOutput(OutputStream out, LongFunction<String> droppedLine) {
        this.out = out;
        this.droppedLine = droppedLine;
        Thread.ofPlatform().daemon().name("sockit-log").start(this::write);
    }

    @Override
    public void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        lock.lock();
        try {
            if (!writes.isEmpty() && queued + len > MAX_BYTES) {
                dropped++;
                return;
            }
            writes.add(Arrays.copyOfRange(b, off, off + len));
            queued += len;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() {
        // the writer flushes what it writes
    }

    private void write() {
        while (true) {
            byte[] next;
            long lost;
            lock.lock();
            try {
                while (writes.isEmpty()) {
                    writing = false;
                    changed.signalAll();
                    changed.awaitUninterruptibly();
                }
                writing = true;
                next = writes.poll();
                queued -= next.length;
                lost = writes.isEmpty() ? dropped : 0; // said once the backlog is out, in its place in the log
                dropped -= lost;
            } finally {
                lock.unlock();
            }
            try {
                out.write(next);
                if (lost > 0) {
                    out.write(droppedLine.apply(lost).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                out.flush();
            } catch (IOException e) {
                // stderr is gone: nobody to tell
            }
        }
    }

    /** Waits up to {@code timeout} for everything queued to be written: before the process exits. */
    void drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while ((!writes.isEmpty() || writing) && System.nanoTime() < deadline) {
                changed.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }
}
