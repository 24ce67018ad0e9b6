package dev.sockit.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc socket calls sockit needs and the JDK lacks, as plain Java methods over the FFM API
 * (java.lang.foreign): no JNI, no native library to ship. Each call returns what the C call returns;
 * a failure (-1) becomes an {@link ErrnoException} naming the call, what it worked on and errno's
 * text, errno being read through {@link Linker.Option#captureCallState} so nothing the JVM does
 * between the call and the check can overwrite it.
 *
 * <p>This is the one place where sockit talks to libc: the datagram sockets here and the epoll engine
 * share it. It needs Linux on a 64-bit machine and {@code --enable-native-access=ALL-UNNAMED}
 * (the sockit jar's manifest grants it); {@link #available()} says whether it can work here.
 */
public final class Libc {
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_PEERCRED = 17;
    public static final int SO_PASSCRED = 16;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDTIMEO = 21;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_DOMAIN = 39;

    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    /** More follows at once: hold the bytes back so that what comes next (our FIN) shares their segment. */
    public static final int MSG_MORE = 0x8000;

    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    public static final int EPOLLET = 1 << 31;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int IPPROTO_IP = 0;
    public static final int IP_PKTINFO = 8;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;

    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;

    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    private Libc() {
    }

    /** True on Linux with a 64-bit C ABI, where these calls can be linked. */
    public static boolean available() {
        return Platform.PROBLEM == null && Native.PROBLEM == null;
    }

    /** Why these calls cannot work here (e.g. {@code this needs Linux (this is Mac OS X)}), or empty when they can. */
    public static java.util.Optional<String> unavailableBecause() {
        return java.util.Optional.ofNullable(Platform.PROBLEM != null ? Platform.PROBLEM : Native.PROBLEM);
    }

    /**
     * Whether this platform can have these calls at all, known without linking any: linking all of
     * them takes a quarter of a second at startup, which a one-shot TCP client asking only "could I
     * reach a Unix datagram socket here?" must not pay.
     */
    private static final class Platform {
        static final String PROBLEM;

        static {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (!os.contains("linux")) {
                PROBLEM = "this needs Linux (this is " + System.getProperty("os.name") + ")";
            } else if (ValueLayout.ADDRESS.byteSize() != 8) {
                PROBLEM = "this needs a 64-bit JVM";
            } else {
                PROBLEM = null;
            }
        }
    }

    /** Throws an error saying why when {@link #available()} is false. */
    public static void requireAvailable(String what) throws java.io.IOException {
        if (Native.PROBLEM != null) {
            throw new java.io.IOException(what + ": " + Native.PROBLEM);
        }
    }

    public static int socket(int domain, int type, int protocol) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return check(r, state, "socket");
    }

    public static void bind(int fd, MemorySegment address, int length, String what) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.BIND.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(r, state, "bind " + what);
    }

    public static void connect(int fd, MemorySegment address, int length, String what) throws ErrnoException {
        while (true) {
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.CONNECT.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r == 0) {
                return;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR.code()) {
                throw new ErrnoException("connect " + what, errno);
            }
        }
    }

    public static void listen(int fd, int backlog) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.LISTEN.invokeExact(state, fd, backlog);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(r, state, "listen");
    }

    /** accept4(2) without the peer's address; retried on EINTR and on ECONNABORTED (a peer that gave up waiting). */
    public static int accept(int fd, int flags) throws ErrnoException {
        while (true) {
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.ACCEPT4.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR.code() && errno != Errno.ECONNABORTED.code()) {
                throw new ErrnoException("accept", errno);
            }
        }
    }

    /**
     * recvfrom(2): the datagram's length (with {@link #MSG_TRUNC}, its whole length even when longer
     * than {@code length}), retried on EINTR.
     */
    public static long recvfrom(int fd, MemorySegment buffer, long length, int flags, MemorySegment from, MemorySegment fromLength)
            throws ErrnoException {
        while (true) {
            MemorySegment state = Native.state();
            long r;
            try {
                r = (long) Native.RECVFROM.invokeExact(state, fd, buffer, length, flags, from, fromLength);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR.code()) {
                throw new ErrnoException("recvfrom", errno);
            }
        }
    }

    public static final short POLLIN = 0x001;
    static final long FIONREAD = 0x541B;

    /** ioctl(FIONREAD): the bytes that can be read at once without blocking. */
    public static int bytesReadable(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.IOCTL.invokeExact(state, fd, FIONREAD, count);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            check(r, state, "ioctl FIONREAD");
            return count.get(JAVA_INT, 0);
        }
    }

    /**
     * poll(2) on one descriptor: the events that happened ({@code revents}), or 0 when {@code timeoutMillis}
     * passed first or a signal came.
     */
    public static int poll(int fd, short events, int timeoutMillis) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4); // struct pollfd: int fd, short events, short revents
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, events);
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r < 0) {
                int errno = errno(state);
                if (errno == Errno.EINTR.code()) {
                    return 0;
                }
                throw new ErrnoException("poll", errno);
            }
            return r == 0 ? 0 : pollfd.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6);
        }
    }

    /** recvmsg(2), retried on EINTR: the datagram's length (with {@link #MSG_TRUNC} in {@code flags}, its whole length). */
    public static long recvmsg(int fd, MemorySegment msghdr, int flags) throws ErrnoException {
        while (true) {
            MemorySegment state = Native.state();
            long r;
            try {
                r = (long) Native.RECVMSG.invokeExact(state, fd, msghdr, flags);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR.code()) {
                throw new ErrnoException("recvmsg", errno);
            }
        }
    }

    /** sendmsg(2), retried on EINTR. */
    public static long sendmsg(int fd, MemorySegment msghdr, int flags, String what) throws ErrnoException {
        while (true) {
            MemorySegment state = Native.state();
            long r;
            try {
                r = (long) Native.SENDMSG.invokeExact(state, fd, msghdr, flags);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR.code()) {
                throw new ErrnoException("sendmsg " + what, errno);
            }
        }
    }

    /** sendto(2), retried on EINTR. */
    public static long sendto(int fd, MemorySegment buffer, long length, int flags, MemorySegment to, int toLength, String what)
            throws ErrnoException {
        while (true) {
            MemorySegment state = Native.state();
            long r;
            try {
                r = (long) Native.SENDTO.invokeExact(state, fd, buffer, length, flags, to, toLength);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            if (r >= 0) {
                return r;
            }
            int errno = errno(state);
            if (errno != Errno.EINTR.code()) {
                throw new ErrnoException("sendto " + what, errno);
            }
        }
    }

    public static void shutdown(int fd, int how) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.SHUTDOWN.invokeExact(state, fd, how);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(r, state, "shutdown");
    }

    /** close(2). Never retried: on Linux the descriptor is gone even when close reports EINTR. */
    public static void close(int fd) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        if (r < 0 && errno(state) != Errno.EINTR.code()) {
            throw new ErrnoException("close", errno(state));
        }
    }

    /** getsockopt(2) into {@code value}; returns the length the kernel wrote. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) value.byteSize());
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            check(r, state, "getsockopt " + what);
            return length.get(JAVA_INT, 0);
        }
    }

    public static void setsockopt(int fd, int level, int name, MemorySegment value, String what) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize());
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(r, state, "setsockopt " + what);
    }

    /** An int-valued socket option. */
    public static int getIntOption(int fd, int level, int name, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            getsockopt(fd, level, name, v, what);
            return v.get(JAVA_INT, 0);
        }
    }

    public static void setIntOption(int fd, int level, int name, int value, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            v.set(JAVA_INT, 0, value);
            setsockopt(fd, level, name, v, what);
        }
    }

    /** SO_RCVTIMEO: a blocking receive gives up (EAGAIN) after {@code timeout}; zero waits forever. */
    public static void setReceiveTimeout(int fd, java.time.Duration timeout) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(16); // struct timeval: long tv_sec, long tv_usec
            tv.set(JAVA_LONG, 0, timeout.toSeconds());
            tv.set(JAVA_LONG, 8, timeout.toNanosPart() / 1000);
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, "SO_RCVTIMEO");
        }
    }

    /** SO_SNDTIMEO: a blocking send that waits for room gives up (EAGAIN) after {@code timeout}; zero waits forever. */
    public static void setSendTimeout(int fd, java.time.Duration timeout) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tv = arena.allocate(16); // struct timeval: long tv_sec, long tv_usec
            tv.set(JAVA_LONG, 0, timeout.toSeconds());
            tv.set(JAVA_LONG, 8, timeout.toNanosPart() / 1000);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, tv, "SO_SNDTIMEO");
        }
    }

    /** getpeername(2) into {@code address}; returns the address's length. */
    public static int getpeername(int fd, MemorySegment address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) address.byteSize());
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.GETPEERNAME.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            check(r, state, "getpeername");
            return length.get(JAVA_INT, 0);
        }
    }

    /** getsockname(2) into {@code address}; returns the address's length. */
    public static int getsockname(int fd, MemorySegment address) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, (int) address.byteSize());
            MemorySegment state = Native.state();
            int r;
            try {
                r = (int) Native.GETSOCKNAME.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw Native.unexpected(t);
            }
            check(r, state, "getsockname");
            return length.get(JAVA_INT, 0);
        }
    }

    /** umask(2): sets the process's file mode creation mask and returns the previous one. It cannot fail. */
    public static int umask(int mask) {
        Native.state();
        try {
            return (int) Native.UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** fcntl(F_SETFD, FD_CLOEXEC): {@code fd} is not passed on to programs this process runs. */
    public static void setCloseOnExec(int fd) throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.FCNTL.invokeExact(state, fd, F_SETFD, FD_CLOEXEC);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(r, state, "fcntl F_SETFD");
    }

    /** fcntl(F_SETFL): makes {@code fd} non-blocking, keeping its other status flags. */
    public static void setNonBlocking(int fd) throws ErrnoException {
        MemorySegment state = Native.state();
        int flags;
        try {
            flags = (int) Native.FCNTL.invokeExact(state, fd, F_GETFL, 0);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(flags, state, "fcntl F_GETFL");
        int r;
        try {
            r = (int) Native.FCNTL.invokeExact(state, fd, F_SETFL, flags | O_NONBLOCK);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        check(r, state, "fcntl F_SETFL O_NONBLOCK");
    }

    /** epoll_create1(2) with close-on-exec. */
    public static int epollCreate() throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return check(r, state, "epoll_create1");
    }

    /** eventfd(2), non-blocking and close-on-exec: what wakes an event loop from another thread. */
    public static int eventfd() throws ErrnoException {
        MemorySegment state = Native.state();
        int r;
        try {
            r = (int) Native.EVENTFD.invokeExact(state, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
        return check(r, state, "eventfd");
    }

    // ---- The hot path of an event loop --------------------------------------------------------
    //
    // These calls are made per event, millions of times a second, so they are shaped for it:
    //  - they never throw and never allocate: a failure is returned as -errno, read from a capture
    //    area the caller owns (one per loop thread, from newCallState), not from a ThreadLocal;
    //  - calls on non-blocking descriptors that return at once (recv, send, accept4, epoll_ctl, and
    //    the eventfd's read and write) are linked with Linker.Option.critical: no thread-state
    //    transition around the call. Measured (sockit-bench's DowncallCost, this 2-CPU VM): a downcall
    //    costs 3.7 ns plain, 2.8 ns critical, 8.2 and 6.6 ns with errno captured; the cheapest real
    //    system call of the hot path (recv finding nothing) costs 335 ns. So the linker options save a
    //    nanosecond or two, nothing next to the system call: what makes the engine fast is making
    //    fewer system calls and sleeping less, not the call's wrapping. A critical call holds off the
    //    garbage collector while it runs, so it must not block: epoll_wait, which sleeps, is linked
    //    without it, and so is close, which can linger (SO_LINGER) for seconds;
    //  - recv and send allow heap segments (critical(true)): a connection's leftover output lives in
    //    a heap array and goes to the kernel straight from there, with no copy into native memory
    //    (recv into a heap array measured the same 335 ns as into native memory).

    /** A capture area for errno, for one thread's use of the raw calls below. */
    public static MemorySegment newCallState(Arena arena) {
        if (Native.PROBLEM != null) {
            throw new UnsupportedOperationException(Native.PROBLEM);
        }
        return arena.allocate(Native.STATE_LAYOUT);
    }

    /** recv(2): bytes read, 0 at end of stream, or -errno. */
    public static long recv(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            long r = (long) Native.RECV.invokeExact(state, fd, buffer, length, 0);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** send(2) with MSG_NOSIGNAL (a vanished peer is -EPIPE, not a SIGPIPE): bytes sent, or -errno. */
    public static long send(MemorySegment state, int fd, MemorySegment buffer, long length) {
        return send(state, fd, buffer, length, 0);
    }

    /** send(2) with MSG_NOSIGNAL and {@code flags} (such as {@link #MSG_MORE}): bytes sent, or -errno. */
    public static long send(MemorySegment state, int fd, MemorySegment buffer, long length, int flags) {
        try {
            long r = (long) Native.SEND.invokeExact(state, fd, buffer, length, MSG_NOSIGNAL | flags);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /**
     * send(2) from native memory given by address: for a loop's own buffer, whose lifetime the loop
     * controls, it skips making a {@link MemorySegment} view per call (measured: a tenth of the
     * event loop's own time per echoed message went to that).
     */
    public static long send(MemorySegment state, int fd, long address, long length, int flags) {
        try {
            long r = (long) Native.SEND_ADDRESS.invokeExact(state, fd, address, length, MSG_NOSIGNAL | flags);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** shutdown(2): 0, or -errno. */
    public static int shutdown(MemorySegment state, int fd, int how) {
        try {
            int r = (int) Native.SHUTDOWN.invokeExact(state, fd, how);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /**
     * close(2): 0, or -errno. On Linux the descriptor is gone even when close reports EINTR, so it
     * is never retried. Linked without critical: with SO_LINGER set, close may wait.
     */
    public static int close(MemorySegment state, int fd) {
        try {
            int r = (int) Native.CLOSE.invokeExact(state, fd);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** read(2) on a non-socket (an eventfd): bytes read, or -errno. */
    public static long read(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            long r = (long) Native.READ.invokeExact(state, fd, buffer, length);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** write(2) on a non-socket (an eventfd): bytes written, or -errno. */
    public static long write(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            long r = (long) Native.WRITE.invokeExact(state, fd, buffer, length);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /**
     * accept4(2) on a non-blocking listener: the new descriptor, or -errno (-EAGAIN: none waiting).
     * {@code address} receives the peer's address and {@code addressLength} (an int, set to the
     * space in {@code address} before the call) its length.
     */
    public static int accept(MemorySegment state, int fd, MemorySegment address, MemorySegment addressLength, int flags) {
        try {
            int r = (int) Native.ACCEPT4_FAST.invokeExact(state, fd, address, addressLength, flags);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** epoll_ctl(2) with a caller-owned {@code struct epoll_event} to fill: 0, or -errno. */
    public static int epollCtl(MemorySegment state, int epfd, int op, int fd, MemorySegment event) {
        try {
            int r = (int) Native.EPOLL_CTL.invokeExact(state, epfd, op, fd, event);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** epoll_wait(2): how many events were stored, 0 on timeout, or -errno (-EINTR: a signal came). */
    public static int epollWait(MemorySegment state, int epfd, MemorySegment events, int max, int timeoutMillis) {
        try {
            int r = timeoutMillis == 0
                    ? (int) Native.EPOLL_WAIT_NOW.invokeExact(state, epfd, events, max, 0)
                    : (int) Native.EPOLL_WAIT.invokeExact(state, epfd, events, max, timeoutMillis);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** setsockopt(2) with a caller-owned value: 0, or -errno. */
    public static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, int length) {
        try {
            int r = (int) Native.SETSOCKOPT.invokeExact(state, fd, level, name, value, length);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    /** getsockopt(2) with caller-owned value and length (an int holding the value's size): 0, or -errno. */
    public static int getsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try {
            int r = (int) Native.GETSOCKOPT.invokeExact(state, fd, level, name, value, length);
            return r >= 0 ? r : -errno(state);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    private static int check(int r, MemorySegment state, String what) throws ErrnoException {
        if (r < 0) {
            throw new ErrnoException(what, errno(state));
        }
        return r;
    }

    /** This thread's errno capture area, for the cold calls of this package that take one. */
    static MemorySegment threadState() {
        return Native.state();
    }

    private static int errno(MemorySegment state) {
        return (int) Native.ERRNO.get(state, 0L);
    }

    /** The linked functions, in a holder so that merely loading {@link Libc} never fails. */
    private static final class Native {
        static final String PROBLEM;
        static final MethodHandle SOCKET;
        static final MethodHandle BIND;
        static final MethodHandle CONNECT;
        static final MethodHandle LISTEN;
        static final MethodHandle ACCEPT4;
        static final MethodHandle RECVFROM;
        static final MethodHandle SENDTO;
        static final MethodHandle RECVMSG;
        static final MethodHandle POLL;
        static final MethodHandle IOCTL;
        static final MethodHandle SENDMSG;
        static final MethodHandle SHUTDOWN;
        static final MethodHandle CLOSE;
        static final MethodHandle GETSOCKOPT;
        static final MethodHandle SETSOCKOPT;
        static final MethodHandle GETSOCKNAME;
        static final MethodHandle GETPEERNAME;
        static final MethodHandle UMASK;
        static final MethodHandle FCNTL;
        static final MethodHandle EPOLL_CREATE1;
        static final MethodHandle EVENTFD;
        static final MethodHandle RECV;
        static final MethodHandle SEND;
        static final MethodHandle SEND_ADDRESS;
        static final MethodHandle READ;
        static final MethodHandle WRITE;
        static final MethodHandle ACCEPT4_FAST;
        static final MethodHandle EPOLL_CTL;
        static final MethodHandle EPOLL_WAIT;
        static final MethodHandle EPOLL_WAIT_NOW;
        static final VarHandle ERRNO;
        static final StructLayout STATE_LAYOUT;
        /** One errno capture area per thread: allocation-free calls on the loops' threads. */
        private static final ThreadLocal<MemorySegment> STATE;

        static {
            String problem = Platform.PROBLEM;
            MethodHandle socket = null, bind = null, connect = null, listen = null, accept4 = null, recvfrom = null, sendto = null,
                    shutdown = null, close = null, getsockopt = null, setsockopt = null, getsockname = null, umask = null,
                    fcntl = null, epollCreate1 = null, eventfd = null, recv = null, send = null, read = null, write = null,
                    accept4Fast = null, epollCtl = null, epollWait = null, epollWaitNow = null, sendAddress = null,
                    recvmsg = null, sendmsg = null, poll = null, ioctl = null, getpeername = null;
            VarHandle errno = null;
            StructLayout layout = null;
            if (problem == null) {
                try {
                    Linker linker = Linker.nativeLinker();
                    SymbolLookup libc = linker.defaultLookup();
                    Linker.Option capture = Linker.Option.captureCallState("errno");
                    layout = Linker.Option.captureStateLayout();
                    errno = layout.varHandle(MemoryLayout.PathElement.groupElement("errno"));
                    socket = link(linker, libc, capture, "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
                    bind = link(linker, libc, capture, "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                    connect = link(linker, libc, capture, "connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                    listen = link(linker, libc, capture, "listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                    accept4 = link(linker, libc, capture, "accept4",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
                    recvfrom = link(linker, libc, capture, "recvfrom",
                            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
                    sendto = link(linker, libc, capture, "sendto",
                            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
                    FunctionDescriptor msg = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
                    recvmsg = link(linker, libc, capture, "recvmsg", msg);
                    sendmsg = link(linker, libc, capture, "sendmsg", msg);
                    poll = link(linker, libc, capture, "poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
                    // ioctl is variadic: its third argument (here a pointer) is passed as a variadic one.
                    ioctl = link(linker, libc, "ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                            capture, Linker.Option.firstVariadicArg(2));
                    shutdown = link(linker, libc, capture, "shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                    close = link(linker, libc, capture, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                    getsockopt = link(linker, libc, capture, "getsockopt",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                    setsockopt = link(linker, libc, capture, "setsockopt",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                    getsockname = link(linker, libc, capture, "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                    getpeername = link(linker, libc, capture, "getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                    umask = linker.downcallHandle(libc.find("umask").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                    // fcntl is variadic: its third argument must be passed as a variadic int.
                    fcntl = link(linker, libc, "fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                            capture, Linker.Option.firstVariadicArg(2));
                    epollCreate1 = link(linker, libc, capture, "epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                    eventfd = link(linker, libc, capture, "eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                    // The event loop's calls (see the note above recv): short ones critical, with heap access for I/O.
                    Linker.Option shortHeap = Linker.Option.critical(true);
                    Linker.Option shortNative = Linker.Option.critical(false);
                    FunctionDescriptor io = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
                    recv = link(linker, libc, "recv", io, capture, shortHeap);
                    send = link(linker, libc, "send", io, capture, shortHeap);
                    // The same send, its buffer given as a raw address (a 64-bit integer, as the C ABI passes a pointer).
                    sendAddress = link(linker, libc, "send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
                            capture, shortNative);
                    FunctionDescriptor rw = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
                    read = link(linker, libc, "read", rw, capture, shortNative);
                    write = link(linker, libc, "write", rw, capture, shortNative);
                    accept4Fast = link(linker, libc, "accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
                            capture, shortNative);
                    epollCtl = link(linker, libc, "epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS),
                            capture, shortNative);
                    FunctionDescriptor wait = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
                    epollWait = link(linker, libc, "epoll_wait", wait, capture);
                    // With a zero timeout epoll_wait only collects what is ready, never sleeps: critical is safe.
                    epollWaitNow = link(linker, libc, "epoll_wait", wait, capture, shortNative);
                } catch (RuntimeException e) {
                    problem = "cannot link libc: " + e.getMessage();
                }
            }
            PROBLEM = problem;
            SOCKET = socket;
            BIND = bind;
            CONNECT = connect;
            LISTEN = listen;
            ACCEPT4 = accept4;
            RECVFROM = recvfrom;
            SENDTO = sendto;
            RECVMSG = recvmsg;
            POLL = poll;
            IOCTL = ioctl;
            SENDMSG = sendmsg;
            SHUTDOWN = shutdown;
            CLOSE = close;
            GETSOCKOPT = getsockopt;
            SETSOCKOPT = setsockopt;
            GETSOCKNAME = getsockname;
            GETPEERNAME = getpeername;
            UMASK = umask;
            FCNTL = fcntl;
            EPOLL_CREATE1 = epollCreate1;
            EVENTFD = eventfd;
            RECV = recv;
            SEND = send;
            SEND_ADDRESS = sendAddress;
            READ = read;
            WRITE = write;
            ACCEPT4_FAST = accept4Fast;
            EPOLL_CTL = epollCtl;
            EPOLL_WAIT = epollWait;
            EPOLL_WAIT_NOW = epollWaitNow;
            ERRNO = errno;
            STATE_LAYOUT = layout;
            STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));
        }

        private static MethodHandle link(Linker linker, SymbolLookup libc, String name, FunctionDescriptor fd, Linker.Option... options) {
            return linker.downcallHandle(libc.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in libc")),
                    fd, options);
        }

        private static MethodHandle link(Linker linker, SymbolLookup libc, Linker.Option capture, String name, FunctionDescriptor fd) {
            return linker.downcallHandle(libc.find(name).orElseThrow(() -> new IllegalStateException("no " + name + " in libc")),
                    fd, capture);
        }

        static MemorySegment state() {
            if (PROBLEM != null) {
                throw new UnsupportedOperationException(PROBLEM);
            }
            return STATE.get();
        }

        static RuntimeException unexpected(Throwable t) {
            if (t instanceof RuntimeException r) {
                return r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            return new IllegalStateException(t);
        }
    }
}
