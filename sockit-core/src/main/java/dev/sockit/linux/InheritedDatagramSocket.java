package dev.sockit.linux;

import dev.sockit.io.DatagramPort;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A UDP socket passed by socket activation, as a {@link DatagramPort}. systemd binds it, usually to
 * the wildcard address ({@code ListenDatagram=7}), from which a plain reply leaves by whatever
 * address the routing table picks; so each datagram is received with its destination (IP_PKTINFO,
 * IPV6_PKTINFO: recvmsg), and the reply sent from it (sendmsg). See {@code Binder} for why sockit's
 * own UDP listeners take a socket per address instead.
 *
 * <p>The socket is systemd's too, and stays bound for it after we stop: closing never shuts it down.
 * A blocked receive wakes every {@link #WAKE} instead, to see whether the port was closed meanwhile.
 */
public final class InheritedDatagramSocket implements DatagramPort {
    static final Duration WAKE = Duration.ofMillis(200);
    private static final int MAX_DATAGRAM = 65_536;
    private static final int CONTROL = 128;
    // struct msghdr, struct iovec and struct cmsghdr on LP64 Linux.
    private static final long MSG_NAME = 0, MSG_NAMELEN = 8, MSG_IOV = 16, MSG_IOVLEN = 24, MSG_CONTROL = 32, MSG_CONTROLLEN = 40;
    private static final int MSGHDR = 56, IOVEC = 16, CMSG_HEADER = 16;

    private final InheritedSocket socket;
    private final Descriptor fd;
    private final int family;
    private final Arena arena = Arena.ofShared();
    private final ReentrantLock rxLock = new ReentrantLock();
    private final ReentrantLock txLock = new ReentrantLock();
    private final Rx rx = new Rx();
    private final Tx tx = new Tx();
    /** The last datagram's sender, and the local address and interface it came to: where its reply leaves from. */
    private volatile SocketAddress lastSender;
    private volatile byte[] lastDestination;
    private volatile int lastInterface;

    private final class Rx {
        final MemorySegment msg = arena.allocate(MSGHDR, 8);
        final MemorySegment iov = arena.allocate(IOVEC, 8);
        final MemorySegment name = arena.allocate(SocketAddresses.STORAGE, 8);
        final MemorySegment control = arena.allocate(CONTROL, 8);
        final MemorySegment buffer = arena.allocate(MAX_DATAGRAM);
    }

    private final class Tx {
        final MemorySegment msg = arena.allocate(MSGHDR, 8);
        final MemorySegment iov = arena.allocate(IOVEC, 8);
        final MemorySegment name = arena.allocate(SocketAddresses.STORAGE, 8);
        final MemorySegment control = arena.allocate(CONTROL, 8);
        final MemorySegment buffer = arena.allocate(MAX_DATAGRAM);
    }

    private InheritedDatagramSocket(InheritedSocket socket, int family) {
        this.socket = socket;
        this.family = family;
        this.fd = new Descriptor(socket.fd(), arena::close, false);
    }

    /**
     * Takes a passed UDP socket: asks the kernel for each datagram's destination, and for a wake-up
     * every {@link #WAKE} while receiving.
     *
     * @throws IllegalArgumentException for a socket that is not UDP over IP
     */
    public static InheritedDatagramSocket adopt(InheritedSocket socket) throws ErrnoException {
        if (socket.transport() != Transport.UDP || !(socket.local() instanceof Endpoint.Inet)) {
            throw new IllegalArgumentException("not a UDP socket: " + socket);
        }
        int fd = socket.fd();
        int family = Libc.getIntOption(fd, Libc.SOL_SOCKET, Libc.SO_DOMAIN, "SO_DOMAIN");
        if (family == Libc.AF_INET6) {
            Libc.setIntOption(fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
        } else {
            Libc.setIntOption(fd, Libc.IPPROTO_IP, Libc.IP_PKTINFO, 1, "IP_PKTINFO");
        }
        Libc.setReceiveTimeout(fd, WAKE);
        return new InheritedDatagramSocket(socket, family);
    }

    @Override
    public Received receive(ByteBuffer dst) throws IOException {
        rxLock.lock();
        int d = fd.enter();
        try {
            long n;
            while (true) {
                prepare(rx.msg, rx.iov, rx.buffer, MAX_DATAGRAM, rx.name, SocketAddresses.STORAGE, rx.control, CONTROL);
                try {
                    n = Libc.recvmsg(d, rx.msg, Libc.MSG_TRUNC);
                    break;
                } catch (ErrnoException e) {
                    fd.throwIfClosed();
                    if (!e.is(Errno.EAGAIN)) {
                        throw e;
                    }
                    // the receive timeout: look whether we were closed, and wait on
                }
            }
            fd.throwIfClosed();
            int stored = (int) Math.min(Math.min(n, MAX_DATAGRAM), dst.remaining());
            MemorySegment.copy(rx.buffer, 0, MemorySegment.ofBuffer(dst), 0, stored);
            dst.position(dst.position() + stored);
            SocketAddress from = SocketAddresses.decode(rx.name, rx.msg.get(JAVA_INT, MSG_NAMELEN));
            readDestination(rx.control, rx.msg.get(JAVA_LONG, MSG_CONTROLLEN));
            lastSender = from;
            return new Received(from, (int) Math.min(n, Integer.MAX_VALUE));
        } finally {
            fd.leave();
            rxLock.unlock();
        }
    }

    /** Sends {@code src} to {@code to}, from the address the last datagram from {@code to} came to; false when our queue is full. */
    @Override
    public boolean send(ByteBuffer src, SocketAddress to) throws IOException {
        if (!(to instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            throw new IllegalArgumentException("not an IP socket address: " + to);
        }
        txLock.lock();
        int d = fd.enter();
        try {
            int length = src.remaining();
            if (length > MAX_DATAGRAM) {
                throw new IOException("datagram of " + length + " bytes is longer than " + MAX_DATAGRAM);
            }
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, tx.buffer, 0, length);
            int nameLength = SocketAddresses.encode(inet, family, tx.name);
            byte[] from = to.equals(lastSender) ? lastDestination : null;
            int controlLength = from == null ? 0 : writeSource(tx.control, from, lastInterface);
            prepare(tx.msg, tx.iov, tx.buffer, length, tx.name, nameLength, tx.control, controlLength);
            try {
                Libc.sendmsg(d, tx.msg, Libc.MSG_DONTWAIT, "to " + to);
            } catch (ErrnoException e) {
                if (e.is(Errno.EAGAIN)) {
                    return false;
                }
                throw e;
            }
            src.position(src.limit());
            return true;
        } finally {
            fd.leave();
            txLock.unlock();
        }
    }

    private static void prepare(MemorySegment msg, MemorySegment iov, MemorySegment buffer, long length,
                                MemorySegment name, int nameLength, MemorySegment control, int controlLength) {
        iov.set(ADDRESS, 0, buffer);
        iov.set(JAVA_LONG, 8, length);
        msg.fill((byte) 0);
        msg.set(ADDRESS, MSG_NAME, name);
        msg.set(JAVA_INT, MSG_NAMELEN, nameLength);
        msg.set(ADDRESS, MSG_IOV, iov);
        msg.set(JAVA_LONG, MSG_IOVLEN, 1);
        msg.set(ADDRESS, MSG_CONTROL, controlLength == 0 ? MemorySegment.NULL : control);
        msg.set(JAVA_LONG, MSG_CONTROLLEN, controlLength);
    }

    /** The destination address (4 or 16 bytes) and interface of the datagram just received, from its control messages. */
    private void readDestination(MemorySegment control, long length) {
        byte[] destination = null;
        int ifindex = 0;
        for (long at = 0; at + CMSG_HEADER <= length; ) {
            long len = control.get(JAVA_LONG, at);
            int level = control.get(JAVA_INT, at + 8);
            int type = control.get(JAVA_INT, at + 12);
            if (len < CMSG_HEADER || at + len > length) {
                break;
            }
            long data = at + CMSG_HEADER;
            if (level == Libc.IPPROTO_IP && type == Libc.IP_PKTINFO) {
                ifindex = control.get(JAVA_INT, data);
                destination = bytes(control, data + 4, 4); // ipi_spec_dst: the local address the datagram came to
            } else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO) {
                destination = bytes(control, data, 16);
                ifindex = control.get(JAVA_INT, data + 16);
            }
            at += (len + 7) & ~7L;
        }
        lastDestination = destination;
        lastInterface = ifindex;
    }

    /** A control message that sends from {@code source}; its length. */
    private int writeSource(MemorySegment control, byte[] source, int ifindex) {
        control.fill((byte) 0);
        if (family == Libc.AF_INET) {
            control.set(JAVA_LONG, 0, CMSG_HEADER + 12);
            control.set(JAVA_INT, 8, Libc.IPPROTO_IP);
            control.set(JAVA_INT, 12, Libc.IP_PKTINFO);
            MemorySegment.copy(source, 0, control, JAVA_BYTE, CMSG_HEADER + 4, 4); // ipi_spec_dst
            return CMSG_HEADER + 16;
        }
        byte[] six = source.length == 16 ? source : mapped(source);
        control.set(JAVA_LONG, 0, CMSG_HEADER + 20);
        control.set(JAVA_INT, 8, Libc.IPPROTO_IPV6);
        control.set(JAVA_INT, 12, Libc.IPV6_PKTINFO);
        MemorySegment.copy(six, 0, control, JAVA_BYTE, CMSG_HEADER, 16);
        // The interface matters only for a link-local source, which is on one link; elsewhere routing picks it.
        boolean linkLocal = (six[0] & 0xff) == 0xfe && (six[1] & 0xc0) == 0x80;
        control.set(JAVA_INT, CMSG_HEADER + 16, linkLocal ? ifindex : 0);
        return CMSG_HEADER + 24;
    }

    private static byte[] mapped(byte[] ipv4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, b, 12, 4);
        return b;
    }

    private static byte[] bytes(MemorySegment s, long offset, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(s, JAVA_BYTE, offset, b, 0, n);
        return b;
    }

    @Override
    public SocketAddress localAddress() {
        return socket.local().toSocketAddress();
    }

    /** Receives block in recvmsg: a platform thread each. */
    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    /** Our descriptor is released once a receive under way has seen this (within {@link #WAKE}); the socket stays bound. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "passed " + socket;
    }
}
