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
 * <p>Only datagrams sent to one of this host's addresses are served: one sent to a broadcast or
 * multicast address, which a socket bound to the wildcard receives too, is dropped unread, as
 * sockit's own per-address sockets never receive it; answering it would make every server on the
 * LAN answer one forged datagram.
 *
 * <p>The socket is systemd's too, and stays bound for it after we stop: closing never shuts it down.
 * A receive waits in poll(2) for at most {@link Descriptor#WAKE_MILLIS} at a time, to see whether the port was closed
 * meanwhile, and reads only what poll said is there (so systemd's {@code NonBlocking=} changes nothing).
 */
public final class InheritedDatagramSocket implements DatagramPort {
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
    private final Io rx = new Io();
    private final Io tx = new Io();
    /** The last datagram's sender, and the local address and interface it came to: where its reply leaves from. */
    private volatile SocketAddress lastSender;
    private volatile byte[] lastDestination;
    private volatile int lastInterface;

    /** What one direction's calls use: a message header, its one iovec, the address, the control messages, the datagram. */
    private final class Io {
        final MemorySegment msg = arena.allocate(MSGHDR, 8);
        final MemorySegment iov = arena.allocate(IOVEC, 8);
        final MemorySegment name = arena.allocate(SocketAddresses.STORAGE, 8);
        final MemorySegment control = arena.allocate(CONTROL, 8);
        final MemorySegment buffer = arena.allocate(MAX_DATAGRAM);
    }

    private InheritedDatagramSocket(InheritedSocket socket, int family) {
        this.socket = socket;
        this.family = family;
        this.fd = new Descriptor(socket.take(), arena::close, false);
    }

    /**
     * Takes a passed UDP socket, and its descriptor (closed by {@link #close()} from now on): asks the
     * kernel for each datagram's destination.
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
        }
        // On a dual-stack socket too: an IPv4 datagram's IP_PKTINFO tells a broadcast destination from our own address.
        Libc.setIntOption(fd, Libc.IPPROTO_IP, Libc.IP_PKTINFO, 1, "IP_PKTINFO");
        return new InheritedDatagramSocket(socket, family);
    }

    @Override
    public Received receive(ByteBuffer dst) throws IOException {
        int d = fd.enter(rxLock);
        try {
            long n;
            while (true) {
                fd.awaitInput(d); // closed while we waited: what came is left for the next server
                prepare(rx.msg, rx.iov, rx.buffer, MAX_DATAGRAM, rx.name, SocketAddresses.STORAGE, rx.control, CONTROL);
                try {
                    n = Libc.recvmsg(d, rx.msg, Libc.MSG_TRUNC | Libc.MSG_DONTWAIT);
                } catch (ErrnoException e) {
                    if (e.is(Errno.EAGAIN)) {
                        continue; // taken by another reader of the socket
                    }
                    throw e;
                }
                if (readDestination(rx.control, rx.msg.get(JAVA_LONG, MSG_CONTROLLEN))) {
                    break;
                }
                // to a broadcast or multicast address: not ours to answer (see the class comment)
            }
            int stored = (int) Math.min(Math.min(n, MAX_DATAGRAM), dst.remaining());
            MemorySegment.copy(rx.buffer, 0, MemorySegment.ofBuffer(dst), 0, stored);
            dst.position(dst.position() + stored);
            SocketAddress from = SocketAddresses.decode(rx.name, rx.msg.get(JAVA_INT, MSG_NAMELEN));
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
        int d = fd.enter(txLock);
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

    /**
     * Records the local address (4 or 16 bytes) and interface the datagram just received came to, from
     * its control messages; false when it was sent to a broadcast or multicast address instead.
     */
    private boolean readDestination(MemorySegment control, long length) {
        byte[] local = null;
        byte[] headerDestination = null;
        boolean ipv4Info = false;
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
                // in_pktinfo: ipi_ifindex; ipi_spec_dst, the local address; ipi_addr, the header's destination.
                ipv4Info = true;
                ifindex = control.get(JAVA_INT, data);
                local = bytes(control, data + 4, 4);
                headerDestination = bytes(control, data + 8, 4);
            } else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO && !ipv4Info) {
                local = bytes(control, data, 16);
                headerDestination = local;
                ifindex = control.get(JAVA_INT, data + 16);
            }
            at += (len + 7) & ~7L;
        }
        if (ipv4Info && isZero(local)) {
            // Queued before we asked for IP_PKTINFO (the datagram that made systemd start us): the kernel
            // filled in only the header's destination. Judge by it alone, and answer from it.
            local = headerDestination;
            ifindex = 0;
        }
        lastDestination = local;
        lastInterface = ifindex;
        if (headerDestination == null) {
            return true; // no control message: nothing to judge by (not seen on Linux)
        }
        if (ipv4Info) {
            boolean multicast = (headerDestination[0] & 0xf0) == 0xe0;
            boolean limitedBroadcast = (headerDestination[0] & headerDestination[1] & headerDestination[2] & headerDestination[3]) == (byte) 0xff;
            // For a datagram to one of our addresses the local address is the header's destination; for a
            // directed broadcast it is the address of the interface it came in by.
            return !multicast && !limitedBroadcast && java.util.Arrays.equals(local, headerDestination);
        }
        return (headerDestination[0] & 0xff) != 0xff; // ff00::/8, multicast
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
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

    /** Our descriptor is released once a receive under way has seen this (within {@link Descriptor#WAKE_MILLIS}); the socket stays bound. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "passed " + socket;
    }
}
