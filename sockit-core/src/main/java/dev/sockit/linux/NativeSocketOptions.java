package dev.sockit.linux;

import dev.sockit.net.SocketOptions;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@link SocketOptions} set on a raw descriptor with setsockopt(2): what an engine that accepts
 * through libc does for each connection, the same options and in the same order as
 * {@link SocketOptions#applyTo} sets them on a JDK channel.
 */
public final class NativeSocketOptions {
    /** Bytes of scratch the calls need: a {@code struct linger} (two ints). */
    public static final int SCRATCH = 8;

    private NativeSocketOptions() {
    }

    /**
     * Applies the per-connection options; TCP-only ones are skipped when {@code tcp} is false.
     * {@code state} and {@code scratch} (at least {@link #SCRATCH} bytes) are the caller's, so nothing
     * is allocated.
     */
    public static void apply(MemorySegment state, MemorySegment scratch, int fd, SocketOptions o, boolean tcp) throws ErrnoException {
        if (tcp && o.keepAlive() != null) {
            set(state, scratch, fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
            set(state, scratch, fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPIDLE, o.keepAlive().idle(), "TCP_KEEPIDLE");
            set(state, scratch, fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPINTVL, o.keepAlive().interval(), "TCP_KEEPINTVL");
            set(state, scratch, fd, Libc.IPPROTO_TCP, Libc.TCP_KEEPCNT, o.keepAlive().count(), "TCP_KEEPCNT");
        }
        if (tcp && o.noDelay() != null) {
            set(state, scratch, fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, o.noDelay() ? 1 : 0, "TCP_NODELAY");
        }
        if (o.receiveBuffer() != null) {
            set(state, scratch, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, o.receiveBuffer(), "SO_RCVBUF");
        }
        if (o.sendBuffer() != null) {
            set(state, scratch, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, o.sendBuffer(), "SO_SNDBUF");
        }
        if (tcp && o.linger() != null) {
            scratch.set(JAVA_INT, 0, 1);
            scratch.set(JAVA_INT, 4, (int) o.linger().toSeconds());
            check(Libc.setsockopt(state, fd, Libc.SOL_SOCKET, Libc.SO_LINGER, scratch, 8), "SO_LINGER");
        }
    }

    /** Sets one int-valued option. */
    public static void set(MemorySegment state, MemorySegment scratch, int fd, int level, int name, int value, String what)
            throws ErrnoException {
        scratch.set(JAVA_INT, 0, value);
        check(Libc.setsockopt(state, fd, level, name, scratch, 4), what);
    }

    private static void check(int r, String what) throws ErrnoException {
        if (r < 0) {
            throw new ErrnoException("setsockopt " + what, -r);
        }
    }
}
