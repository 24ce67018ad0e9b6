package dev.sockit.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * An eventfd(2) that lets any thread wake an event loop sleeping in epoll_wait: the loop watches
 * {@link #fd()} for input, another thread calls {@link #signal()}, and the loop {@link #drain}s it.
 *
 * <p>Signals and {@link #close()} exclude each other: a signal that came after the close would
 * write to whatever descriptor had been given the number since. Signals are rare (a loop that is
 * awake is not signalled), so a lock costs nothing that matters.
 */
public final class Wakeup implements AutoCloseable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    /** The 8-byte counter increment every signal writes; only read, so threads may share it. */
    private final MemorySegment one = arena.allocate(JAVA_LONG);
    /** Where the loop's thread reads the counter into. */
    private final MemorySegment sink = arena.allocate(JAVA_LONG);

    public Wakeup() throws ErrnoException {
        this.fd = Libc.eventfd();
        one.set(JAVA_LONG, 0, 1L);
    }

    public int fd() {
        return fd;
    }

    private boolean closed;

    /** From any thread; does nothing once closed. Never blocks: the counter cannot overflow in practice (2^64 - 2 signals). */
    public synchronized void signal() {
        if (!closed) {
            Libc.write(Libc.threadState(), fd, one, 8);
        }
    }

    /** Resets the counter, on the loop's thread, with the loop's capture area. */
    public void drain(MemorySegment state) {
        Libc.read(state, fd, sink, 8);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libc.close(fd);
        } catch (ErrnoException ignored) {
            // gone either way
        } finally {
            arena.close();
        }
    }
}
