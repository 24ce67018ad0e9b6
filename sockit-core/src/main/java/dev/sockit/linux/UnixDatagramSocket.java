package dev.sockit.linux;

import dev.sockit.io.DatagramPort;
import dev.sockit.net.UnixSocketAddress;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A Unix-domain datagram socket ({@code AF_UNIX, SOCK_DGRAM}), which the JDK lacks, bound to a path
 * or a Linux abstract name and used like a {@link java.nio.channels.DatagramChannel}: blocking
 * receives, sends that never wait on the receiver. Senders are {@link UnixSocketAddress}es.
 *
 * <p>Unix datagram sockets have flow control that UDP lacks: a send to a peer whose queue is full
 * blocks until that peer reads. A server must never wait on a peer that does not read, so
 * {@link #send} uses MSG_DONTWAIT and reports a full queue instead of waiting.
 *
 * <p>A client {@link #autobind}s (so it can be answered), {@link #connect}s to its one server, and
 * {@link #write}s, which waits while the server's queue is full instead of dropping the datagram.
 *
 * <p>{@link #close()} may be called from any thread: it wakes a blocked {@link #receive}, which then
 * throws {@link java.nio.channels.AsynchronousCloseException}. Closing does not remove a socket file.
 */
public final class UnixDatagramSocket implements DatagramPort {
    /** What {@link #receive} stores of one datagram at most, as much as UDP carries; longer ones report their length. */
    public static final int MAX_DATAGRAM = 65_536;

    private final Descriptor fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxBuffer;
    private final MemorySegment rxAddress;
    private final MemorySegment rxAddressLength;
    private final MemorySegment txAddress;
    private final ReentrantLock rxLock = new ReentrantLock();
    private final ReentrantLock txLock = new ReentrantLock();
    private MemorySegment txBuffer;
    private volatile UnixSocketAddress local = UnixSocketAddress.unnamed();
    private volatile UnixSocketAddress peer;
    /** Passed by socket activation: shared with systemd, so never shut down; receives wait in poll(2) to notice a close. */
    private final boolean passed;

    private UnixDatagramSocket(int fd) {
        this(fd, false);
    }

    private UnixDatagramSocket(int fd, boolean passed) {
        this.passed = passed;
        this.fd = new Descriptor(fd, arena::close, !passed);
        this.rxBuffer = arena.allocate(MAX_DATAGRAM);
        this.rxAddress = arena.allocate(UnixAddresses.SIZE);
        this.rxAddressLength = arena.allocate(JAVA_INT);
        this.txAddress = arena.allocate(UnixAddresses.SIZE);
        this.txBuffer = arena.allocate(8192);
    }

    /**
     * A Unix datagram socket passed by socket activation, and its descriptor (closed by {@link #close()}
     * from now on, without a shutdown: the socket stays bound for systemd).
     *
     * @throws IllegalArgumentException for a socket that is not a Unix datagram socket
     */
    public static UnixDatagramSocket adopt(InheritedSocket socket) {
        if (socket.transport() != dev.sockit.net.Transport.UDP || !(socket.local() instanceof dev.sockit.net.Endpoint.Unix u)) {
            throw new IllegalArgumentException("not a Unix datagram socket: " + socket);
        }
        UnixDatagramSocket s = new UnixDatagramSocket(socket.take(), true);
        s.local = UnixSocketAddress.of(u);
        return s;
    }

    /** An unbound socket: it can send, but it can be answered only once bound. */
    public static UnixDatagramSocket open() throws IOException {
        Libc.requireAvailable("Unix datagram sockets");
        return new UnixDatagramSocket(Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0));
    }

    /** A socket bound to {@code address}. For a path, the file must not exist yet. */
    public static UnixDatagramSocket bind(UnixSocketAddress address) throws IOException {
        UnixDatagramSocket s = open();
        try {
            s.local = SocketNames.bind(s.fd, address);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A socket bound to a fresh abstract name the kernel picks (Linux autobind, e.g. {@code unix:@0001f}):
     * what a client needs to be answered, with no socket file to create or remove.
     */
    public static UnixDatagramSocket autobind() throws IOException {
        UnixDatagramSocket s = open();
        try {
            s.local = SocketNames.autobind(s.fd);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Makes {@code peer} this socket's one peer: {@link #write} sends there, and the kernel refuses
     * (EPERM) any other socket's datagrams to this one, so whatever is received comes from the peer,
     * however its name was spelled when it was bound.
     *
     * @throws ErrnoException ENOENT when no socket file is there, ECONNREFUSED when nothing is bound to
     *                        it any more, EPROTOTYPE when it is a stream socket
     */
    public void connect(UnixSocketAddress peer) throws IOException {
        SocketNames.connect(fd, peer);
        this.peer = peer;
    }

    /** The peer given to {@link #connect}, if any. */
    public java.util.Optional<UnixSocketAddress> peer() {
        return java.util.Optional.ofNullable(peer);
    }

    /** Sets the buffer sizes the options ask for (the only ones that mean something here). */
    public void apply(dev.sockit.net.SocketOptions options) throws IOException {
        UnixSocketOptions.apply(fd, options);
    }

    /**
     * Waits for the next datagram and puts as much of it as fits into {@code dst}.
     *
     * @return its sender (unnamed if the sender did not bind) and its whole length
     * @throws java.net.SocketTimeoutException when a {@link #setReceiveTimeout receive timeout} passes first
     * @throws java.nio.channels.AsynchronousCloseException when closed while waiting
     */
    @Override
    public Received receive(ByteBuffer dst) throws IOException {
        return receive(dst, 0);
    }

    /** The next datagram if one is queued now, else null: never waits. */
    public Received tryReceive(ByteBuffer dst) throws IOException {
        try {
            return receive(dst, Libc.MSG_DONTWAIT);
        } catch (ErrnoException e) {
            if (e.is(Errno.EAGAIN)) {
                return null;
            }
            throw e;
        }
    }

    /** How long {@link #receive} waits before it throws SocketTimeoutException; zero (the default) for ever. */
    public void setReceiveTimeout(java.time.Duration timeout) throws IOException {
        int d = fd.enter();
        try {
            Libc.setReceiveTimeout(d, timeout);
        } finally {
            fd.leave();
        }
    }

    private Received receive(ByteBuffer dst, int flags) throws IOException {
        int d = fd.enter(rxLock);
        try {
            long n;
            while (true) {
                if (passed && (flags & Libc.MSG_DONTWAIT) == 0) {
                    fd.awaitInput(d);
                }
                rxAddressLength.set(JAVA_INT, 0, UnixAddresses.SIZE);
                try {
                    // MSG_TRUNC: the datagram's whole length comes back even when it is longer than the buffer.
                    n = Libc.recvfrom(d, rxBuffer, rxBuffer.byteSize(), Libc.MSG_TRUNC | flags | (passed ? Libc.MSG_DONTWAIT : 0),
                            rxAddress, rxAddressLength);
                    break;
                } catch (ErrnoException e) {
                    fd.throwIfClosed();
                    if (passed && e.is(Errno.EAGAIN) && (flags & Libc.MSG_DONTWAIT) == 0) {
                        continue; // taken by another reader of the socket
                    }
                    if (e.is(Errno.EAGAIN) && (flags & Libc.MSG_DONTWAIT) == 0) {
                        throw new java.net.SocketTimeoutException("receive on " + local + " timed out");
                    }
                    throw e;
                }
            }
            if (!passed) {
                fd.throwIfClosed(); // woken by close(): the shutdown makes recvfrom return 0
            }
            int stored = (int) Math.min(Math.min(n, rxBuffer.byteSize()), dst.remaining());
            MemorySegment.copy(rxBuffer, 0, MemorySegment.ofBuffer(dst), 0, stored);
            dst.position(dst.position() + stored);
            UnixSocketAddress from = UnixAddresses.decode(rxAddress, rxAddressLength.get(JAVA_INT, 0));
            return new Received(from, (int) Math.min(n, Integer.MAX_VALUE));
        } finally {
            fd.leave();
            rxLock.unlock();
        }
    }

    /**
     * Sends {@code src} to {@code to} (a {@link UnixSocketAddress} or the JDK's
     * {@link UnixDomainSocketAddress}) without waiting.
     *
     * @return false when the receiver's queue is full: the datagram is dropped and {@code src} is untouched
     * @throws ErrnoException e.g. ECONNREFUSED when nothing is bound at {@code to} any more
     */
    @Override
    public boolean send(ByteBuffer src, SocketAddress to) throws IOException {
        UnixSocketAddress target = switch (to) {
            case UnixSocketAddress u -> u;
            case UnixDomainSocketAddress u -> UnixSocketAddress.of(u);
            case null, default -> throw new IllegalArgumentException("not a Unix socket address: " + to);
        };
        try {
            transmit(src, target, Libc.MSG_DONTWAIT);
            return true;
        } catch (ErrnoException e) {
            if (e.is(Errno.EAGAIN)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Sends {@code src} as one datagram to the {@link #connect connected} peer, waiting while the peer's
     * queue is full, for at most the {@link #setSendTimeout send timeout}. Unix datagram sockets have
     * flow control: a client with one peer waits for it rather than lose what it was asked to send.
     * {@link #close()} does not wake a write that waits; the send timeout bounds it.
     *
     * @throws java.net.SocketTimeoutException when the peer's queue stayed full for the send timeout
     * @throws ErrnoException                   e.g. ECONNREFUSED when the peer has closed
     */
    public void write(ByteBuffer src) throws IOException {
        UnixSocketAddress target = peer;
        if (target == null) {
            throw new ErrnoException("write on " + local + " (not connected)", Errno.EDESTADDRREQ.code());
        }
        try {
            transmit(src, null, 0);
        } catch (ErrnoException e) {
            if (e.is(Errno.EAGAIN)) {
                throw new java.net.SocketTimeoutException(target + " took no datagram for the send timeout (its queue stayed full: is it reading?)");
            }
            throw e;
        }
    }

    /** How long {@link #write} waits for room in the peer's queue; zero (the default) for ever. */
    public void setSendTimeout(java.time.Duration timeout) throws IOException {
        int d = fd.enter();
        try {
            Libc.setSendTimeout(d, timeout);
        } finally {
            fd.leave();
        }
    }

    /** One sendto(2): to {@code target}, or to the connected peer when it is null. Advances {@code src} when sent. */
    private void transmit(ByteBuffer src, UnixSocketAddress target, int flags) throws IOException {
        int d = fd.enter(txLock);
        try {
            int length = src.remaining();
            MemorySegment data;
            if (src.isDirect()) {
                data = MemorySegment.ofBuffer(src);
            } else {
                if (txBuffer.byteSize() < length) {
                    txBuffer = arena.allocate(Math.max(length, txBuffer.byteSize() * 2));
                }
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, txBuffer, 0, length);
                data = txBuffer;
            }
            try {
                if (target == null) {
                    Libc.sendto(d, data, length, flags | Libc.MSG_NOSIGNAL, MemorySegment.NULL, 0, String.valueOf(peer));
                } else {
                    int addressLength = UnixAddresses.encode(target, txAddress);
                    Libc.sendto(d, data, length, flags | Libc.MSG_NOSIGNAL, txAddress, addressLength, target.toString());
                }
            } catch (ErrnoException e) {
                fd.throwIfClosed();
                throw e;
            }
            src.position(src.limit());
        } finally {
            fd.leave();
            txLock.unlock();
        }
    }

    /** The bound address (unnamed while unbound). */
    @Override
    public UnixSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    /** The kernel's receive buffer (SO_RCVBUF): how much may wait for {@link #receive}. */
    public int receiveBufferSize() throws IOException {
        return UnixSocketOptions.get(fd, Libc.SO_RCVBUF, "SO_RCVBUF");
    }

    /** The kernel's send buffer (SO_SNDBUF). */
    public int sendBufferSize() throws IOException {
        return UnixSocketOptions.get(fd, Libc.SO_SNDBUF, "SO_SNDBUF");
    }

    public boolean isOpen() {
        return !fd.isClosed();
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "unixgram " + local;
    }
}
