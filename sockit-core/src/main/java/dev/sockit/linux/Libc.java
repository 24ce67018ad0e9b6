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

    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;

    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    private Libc() {
    }

    /** True on Linux with a 64-bit C ABI, where these calls can be linked. */
    public static boolean available() {
        return Native.PROBLEM == null;
    }

    /** Why these calls cannot work here (e.g. {@code this needs Linux (this is Mac OS X)}), or empty when they can. */
    public static java.util.Optional<String> unavailableBecause() {
        return java.util.Optional.ofNullable(Native.PROBLEM);
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

    private static int check(int r, MemorySegment state, String what) throws ErrnoException {
        if (r < 0) {
            throw new ErrnoException(what, errno(state));
        }
        return r;
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
        static final MethodHandle SHUTDOWN;
        static final MethodHandle CLOSE;
        static final MethodHandle GETSOCKOPT;
        static final MethodHandle SETSOCKOPT;
        static final MethodHandle GETSOCKNAME;
        static final MethodHandle UMASK;
        static final VarHandle ERRNO;
        private static final StructLayout STATE_LAYOUT;
        /** One errno capture area per thread: allocation-free calls on the loops' threads. */
        private static final ThreadLocal<MemorySegment> STATE;

        static {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String problem = null;
            if (!os.contains("linux")) {
                problem = "this needs Linux (this is " + System.getProperty("os.name") + ")";
            } else if (ValueLayout.ADDRESS.byteSize() != 8) {
                problem = "this needs a 64-bit JVM";
            }
            MethodHandle socket = null, bind = null, connect = null, listen = null, accept4 = null, recvfrom = null, sendto = null,
                    shutdown = null, close = null, getsockopt = null, setsockopt = null, getsockname = null, umask = null;
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
                    shutdown = link(linker, libc, capture, "shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
                    close = link(linker, libc, capture, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
                    getsockopt = link(linker, libc, capture, "getsockopt",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                    setsockopt = link(linker, libc, capture, "setsockopt",
                            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
                    getsockname = link(linker, libc, capture, "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
                    umask = linker.downcallHandle(libc.find("umask").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
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
            SHUTDOWN = shutdown;
            CLOSE = close;
            GETSOCKOPT = getsockopt;
            SETSOCKOPT = setsockopt;
            GETSOCKNAME = getsockname;
            UMASK = umask;
            ERRNO = errno;
            STATE_LAYOUT = layout;
            STATE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));
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
