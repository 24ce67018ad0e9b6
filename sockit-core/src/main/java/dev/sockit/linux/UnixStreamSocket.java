package dev.sockit.linux;

import dev.sockit.io.ByteStream;
import dev.sockit.net.UnixSocketAddress;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A connected stream socket made through libc, for what the JDK's {@code SocketChannel} cannot
 * reach: Linux abstract names, and the connections accepted on a socket passed by socket activation
 * (Unix or TCP). Blocking reads and writes, like a blocking {@code SocketChannel}.
 *
 * <p>A read blocks inside a native call, where a virtual thread would hold its carrier thread; give
 * each such socket a platform thread ({@link #blocksInNativeCode()}).
 */
public final class UnixStreamSocket implements ByteStream {
    private static final int CHUNK = 64 * 1024;

    private final Descriptor fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxBuffer = arena.allocate(CHUNK);
    private final MemorySegment txBuffer = arena.allocate(CHUNK);
    private final ReentrantLock rxLock = new ReentrantLock();
    private final ReentrantLock txLock = new ReentrantLock();
    private final int rawFd;

    UnixStreamSocket(int fd) {
        this.rawFd = fd;
        this.fd = new Descriptor(fd, arena::close);
    }

    /**
     * The connection a listener just accepted as descriptor {@code fd}. With no memory for it, the
     * descriptor is closed and an IOException says so, for the acceptor to back off and go on.
     */
    static UnixStreamSocket accepted(int fd, Object listener) throws IOException {
        try {
            return new UnixStreamSocket(fd);
        } catch (RuntimeException | OutOfMemoryError e) {
            Libc.close(fd);
            throw new IOException("cannot take a connection on " + listener + ": " + e, e);
        }
    }

    /** Connects to a stream socket at {@code address} (a path or an abstract name). */
    public static UnixStreamSocket connect(UnixSocketAddress address) throws IOException {
        Libc.requireAvailable("Unix stream sockets");
        UnixStreamSocket s = new UnixStreamSocket(Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0));
        try {
            SocketNames.connect(s.fd, address);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Reads what is there (at least one byte), or returns -1 at end of stream. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int d = fd.enter(rxLock);
        try {
            long n;
            try {
                n = Libc.recvfrom(d, rxBuffer, Math.min(CHUNK, dst.remaining()), 0, MemorySegment.NULL, MemorySegment.NULL);
            } catch (ErrnoException e) {
                fd.throwIfClosed();
                if (e.is(Errno.EAGAIN)) {
                    throw new java.net.SocketTimeoutException("read timed out");
                }
                throw e;
            }
            fd.throwIfClosed();
            if (n == 0) {
                return -1;
            }
            MemorySegment.copy(rxBuffer, 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + (int) n);
            return (int) n;
        } finally {
            fd.leave();
            rxLock.unlock();
        }
    }

    /** Writes some of {@code src} (blocking until at least some can be written). */
    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        int d = fd.enter(txLock);
        try {
            int n = Math.min(CHUNK, src.remaining());
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, txBuffer, 0, n);
            long sent;
            try {
                // MSG_NOSIGNAL: a peer that has gone away is an EPIPE to report, not a SIGPIPE.
                sent = Libc.sendto(d, txBuffer, n, Libc.MSG_NOSIGNAL, MemorySegment.NULL, 0, "");
            } catch (ErrnoException e) {
                fd.throwIfClosed();
                throw e;
            }
            src.position(src.position() + (int) sent);
            return (int) sent;
        } finally {
            fd.leave();
            txLock.unlock();
        }
    }

    /** Sets the buffer sizes the options ask for (the only ones that mean something to a Unix socket). */
    public void apply(dev.sockit.net.SocketOptions options) throws IOException {
        UnixSocketOptions.apply(fd, options);
    }

    /** The kernel's receive buffer (SO_RCVBUF). */
    public int receiveBufferSize() throws IOException {
        return UnixSocketOptions.get(fd, Libc.SO_RCVBUF, "SO_RCVBUF");
    }

    /** How long {@link #read} waits before it throws SocketTimeoutException; zero (the default) for ever. */
    public void setReadTimeout(java.time.Duration timeout) throws IOException {
        int d = fd.enter();
        try {
            Libc.setReceiveTimeout(d, timeout);
        } finally {
            fd.leave();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        int d = fd.enter();
        try {
            Libc.shutdown(d, Libc.SHUT_WR);
        } finally {
            fd.leave();
        }
    }

    /** The bytes the peer has sent that are not read yet (FIONREAD): 0 lets a server close at once instead of lingering. */
    @Override
    public int available() throws IOException {
        int d = fd.enter();
        try {
            return Libc.bytesReadable(d);
        } finally {
            fd.leave();
        }
    }

    /** The peer as sockit shows a Unix one: {@code unix:(pid 1234 uid 0)}, or {@code unix:(unnamed)} when the kernel does not say. */
    String credentialsName() {
        return peerCredentials().map(c -> "unix:(" + c + ")").orElse("unix:(unnamed)");
    }

    /** Who connected: the kernel's record of the peer's process, user and group. */
    public Optional<PeerCredentials> peerCredentials() {
        try {
            int d = fd.enter();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment ucred = a.allocate(12);
                if (Libc.getsockopt(d, Libc.SOL_SOCKET, Libc.SO_PEERCRED, ucred, "SO_PEERCRED") < 12) {
                    return Optional.empty();
                }
                return Optional.of(new PeerCredentials(ucred.get(JAVA_INT, 0), ucred.get(JAVA_INT, 4), ucred.get(JAVA_INT, 8)));
            } finally {
                fd.leave();
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return !fd.isClosed();
    }

    /** Closes from any thread; a blocked read returns (end of stream, or AsynchronousCloseException). */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "stream fd " + rawFd;
    }
}
