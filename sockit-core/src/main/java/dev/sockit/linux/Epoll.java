package dev.sockit.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * One epoll instance with everything its loop needs preallocated: the array {@code epoll_wait}
 * fills, the {@code struct epoll_event} that {@code epoll_ctl} reads, and the errno capture area.
 * Nothing here allocates after {@link #open}; failures come back as -errno, as from {@link Libc}'s
 * raw calls. Used by one thread at a time (the loop's); {@link #open} and {@link #close} may be
 * called from another.
 *
 * <p>{@code struct epoll_event} is a 32-bit event mask and a 64-bit datum, packed to 12 bytes on
 * x86-64 (the kernel's ABI there) and padded to 16 elsewhere; the datum is read unaligned so one
 * code path serves both.
 */
public final class Epoll implements AutoCloseable {
    private static final boolean PACKED = isX86();
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long DATA_OFFSET = PACKED ? 4 : 8;

    private final int fd;
    private final int capacity;
    private final Arena arena;
    private final MemorySegment events;
    private final MemorySegment control;
    private final MemorySegment state;

    private Epoll(int fd, int capacity, Arena arena) {
        this.fd = fd;
        this.capacity = capacity;
        this.arena = arena;
        this.events = arena.allocate(EVENT_SIZE * capacity, 8);
        this.control = arena.allocate(16, 8);
        this.state = Libc.newCallState(arena);
    }

    /** A new epoll instance that reports at most {@code capacity} events per {@link #await}. */
    public static Epoll open(int capacity) throws ErrnoException {
        int fd = Libc.epollCreate();
        try {
            return new Epoll(fd, capacity, Arena.ofShared());
        } catch (RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** The errno capture area of this loop's thread, for its other raw calls (recv, send, accept). */
    public MemorySegment callState() {
        return state;
    }

    /** Watches {@code fd} for {@code events}, reporting {@code data} with each: 0, or -errno. */
    public int add(int fd, int events, long data) {
        return control(Libc.EPOLL_CTL_ADD, fd, events, data);
    }

    /** Changes what {@code fd} is watched for: 0, or -errno. */
    public int modify(int fd, int events, long data) {
        return control(Libc.EPOLL_CTL_MOD, fd, events, data);
    }

    /** Stops watching {@code fd}: 0, or -errno. (Closing a descriptor also removes it.) */
    public int remove(int fd) {
        return Libc.epollCtl(state, this.fd, Libc.EPOLL_CTL_DEL, fd, control);
    }

    private int control(int op, int target, int events, long data) {
        control.set(JAVA_INT, 0, events);
        control.set(JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        return Libc.epollCtl(state, fd, op, target, control);
    }

    /**
     * Waits up to {@code timeoutMillis} (0: do not wait, -1: for ever) for events: how many are
     * ready (read them with {@link #events(int)} and {@link #data(int)}), or -errno.
     */
    public int await(int timeoutMillis) {
        return Libc.epollWait(state, fd, events, capacity, timeoutMillis);
    }

    /** The event mask of the {@code i}th ready descriptor. */
    public int events(int i) {
        return events.get(JAVA_INT_UNALIGNED, i * EVENT_SIZE);
    }

    /** The datum the {@code i}th ready descriptor was registered with. */
    public long data(int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA_OFFSET);
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        try {
            Libc.close(fd);
        } catch (ErrnoException ignored) {
            // the descriptor is gone either way
        } finally {
            arena.close();
        }
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}
