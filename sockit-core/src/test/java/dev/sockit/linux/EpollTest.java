package dev.sockit.linux;

import dev.sockit.net.KeepAlive;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.UnixSocketAddress;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

/** The FFM layer the epoll engine stands on: epoll, eventfd, raw calls, socket options and addresses, on real sockets. */
@Timeout(30)
class EpollTest {

    /** A connected pair on loopback: [0] the accepted side (non-blocking), [1] the client. */
    private static SocketChannel[] pair() throws Exception {
        try (ServerSocketChannel l = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel client = SocketChannel.open(l.getLocalAddress());
            SocketChannel accepted = l.accept();
            accepted.configureBlocking(false);
            return new SocketChannel[] {accepted, client};
        }
    }

    @Test
    void reportsInputEdgesAndOutputAndNothingOnceRemoved() throws Exception {
        SocketChannel[] p = pair();
        try (Epoll epoll = Epoll.open(8); Arena arena = Arena.ofConfined(); SocketChannel server = p[0]; SocketChannel client = p[1]) {
            int fd = JdkDescriptors.of(server);
            assertThat(fd).isPositive();
            assertThat(epoll.add(fd, Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLET, 0x1234_5678_9abcL)).isZero();
            assertThat(epoll.await(0)).as("nothing to read yet").isZero();

            client.write(ByteBuffer.wrap("ping".getBytes()));
            assertThat(epoll.await(5000)).isEqualTo(1);
            assertThat(epoll.data(0)).isEqualTo(0x1234_5678_9abcL);
            assertThat(epoll.events(0) & Libc.EPOLLIN).isNotZero();
            assertThat(epoll.await(0)).as("edge-triggered: reported once").isZero();

            MemorySegment buf = arena.allocate(64);
            MemorySegment state = epoll.callState();
            assertThat(Libc.recv(state, fd, buf, 64)).isEqualTo(4);
            assertThat(buf.getString(0, java.nio.charset.StandardCharsets.US_ASCII).substring(0, 4)).isEqualTo("ping");
            assertThat(Libc.recv(state, fd, buf, 64)).isEqualTo(-Errno.EAGAIN.code());
            byte[] heap = "pong".getBytes();
            assertThat(Libc.send(state, fd, MemorySegment.ofArray(heap), 4)).as("from a heap array").isEqualTo(4);
            ByteBuffer back = ByteBuffer.allocate(4);
            client.read(back);
            assertThat(new String(back.array())).isEqualTo("pong");

            assertThat(epoll.modify(fd, Libc.EPOLLOUT | Libc.EPOLLET, 7)).isZero();
            assertThat(epoll.await(5000)).as("modify reports readiness already there").isEqualTo(1);
            assertThat(epoll.events(0) & Libc.EPOLLOUT).isNotZero();
            assertThat(epoll.data(0)).isEqualTo(7);

            client.shutdownOutput();
            assertThat(epoll.modify(fd, Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLET, 8)).isZero();
            assertThat(epoll.await(5000)).isEqualTo(1);
            assertThat(epoll.events(0) & Libc.EPOLLRDHUP).as("the peer's half-close").isNotZero();
            assertThat(Libc.recv(state, fd, buf, 64)).as("end of stream").isZero();

            assertThat(epoll.remove(fd)).isZero();
            assertThat(epoll.remove(fd)).isEqualTo(-Errno.ENOENT.code());
        }
    }

    @Test
    void anotherThreadWakesASleepingLoop() throws Exception {
        try (Epoll epoll = Epoll.open(4); Wakeup wakeup = new Wakeup()) {
            assertThat(epoll.add(wakeup.fd(), Libc.EPOLLIN, 99)).isZero();
            Thread.ofVirtual().start(wakeup::signal);
            assertThat(epoll.await(10_000)).isEqualTo(1);
            assertThat(epoll.data(0)).isEqualTo(99);
            wakeup.drain(epoll.callState());
            assertThat(epoll.await(0)).as("drained").isZero();
        }
    }

    @Test
    void rawCallsReturnMinusErrnoInsteadOfThrowing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment buf = arena.allocate(8);
            assertThat(Libc.recv(state, -1, buf, 8)).isEqualTo(-Errno.EBADF.code());
            assertThat(Libc.send(state, -1, buf, 8)).isEqualTo(-Errno.EBADF.code());
            assertThat(Libc.accept(state, -1, buf, arena.allocate(JAVA_INT), 0)).isEqualTo(-Errno.EBADF.code());
        }
    }

    @Test
    void socketOptionsSetThroughLibcAreWhatTheJdkReadsBack() throws Exception {
        SocketChannel[] p = pair();
        SocketOptions o = SocketOptions.DEFAULTS.withKeepAlive(new KeepAlive(7, 3, 4)).withNoDelay(true)
                .withSendBuffer(65536).withReceiveBuffer(32768).withLinger(Duration.ofSeconds(2));
        SocketChannel[] viaJdk = pair();
        try (Arena arena = Arena.ofConfined(); SocketChannel server = p[0]; SocketChannel client = p[1];
             SocketChannel reference = viaJdk[0]; SocketChannel other = viaJdk[1]) {
            o.applyTo(reference, true);
            NativeSocketOptions.apply(Libc.newCallState(arena), arena.allocate(NativeSocketOptions.SCRATCH), JdkDescriptors.of(server), o, true);
            assertThat(server.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(server.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
            assertThat(server.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(3);
            assertThat(server.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
            assertThat(server.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThat(server.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(2);
            // Linux doubles buffer sizes and caps them at net.core.[rw]mem_max: compare with the JDK's own setting.
            assertThat(server.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(reference.getOption(StandardSocketOptions.SO_SNDBUF));
            assertThat(server.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(reference.getOption(StandardSocketOptions.SO_RCVBUF));
        }
    }

    @Test
    void peerAddressesReadAsTheJdkShowsThem() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SocketAddresses.STORAGE);
            // struct sockaddr_in: family, port (network order), address
            sa.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
            sa.set(JAVA_BYTE, 2, (byte) 0x1f);
            sa.set(JAVA_BYTE, 3, (byte) 0x90);
            sa.asSlice(4, 4).copyFrom(MemorySegment.ofArray(new byte[] {127, 0, 0, 1}));
            assertThat(SocketAddresses.decode(sa, 16)).isEqualTo(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 8080));

            // struct sockaddr_in6: family, port, flow info, address, scope id
            sa.fill((byte) 0);
            sa.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
            sa.set(JAVA_BYTE, 2, (byte) 0xff);
            sa.set(JAVA_BYTE, 3, (byte) 0xfe);
            sa.set(JAVA_BYTE, 8 + 15, (byte) 1);
            InetSocketAddress v6 = (InetSocketAddress) SocketAddresses.decode(sa, 28);
            assertThat(v6.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(InetAddress.ofLiteral("::1"));
            assertThat(v6.getPort()).isEqualTo(65534);

            // an IPv4 client of a dual-stack listener: ::ffff:10.1.2.3 comes back as IPv4, as the JDK gives it
            sa.set(JAVA_BYTE, 8 + 10, (byte) 0xff);
            sa.set(JAVA_BYTE, 8 + 11, (byte) 0xff);
            sa.asSlice(8 + 12, 4).copyFrom(MemorySegment.ofArray(new byte[] {10, 1, 2, 3}));
            InetSocketAddress mapped = (InetSocketAddress) SocketAddresses.decode(sa, 28);
            assertThat(mapped.getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(InetAddress.ofLiteral("10.1.2.3"));

            // link-local with its scope (interface index 1)
            sa.fill((byte) 0);
            sa.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
            sa.set(JAVA_BYTE, 8, (byte) 0xfe);
            sa.set(JAVA_BYTE, 9, (byte) 0x80);
            sa.set(JAVA_BYTE, 8 + 15, (byte) 1);
            sa.set(JAVA_INT, 24, 1);
            assertThat(((Inet6Address) ((InetSocketAddress) SocketAddresses.decode(sa, 28)).getAddress()).getScopeId()).isEqualTo(1);

            // Unix: an unnamed client (only the family), and a named one
            sa.fill((byte) 0);
            sa.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            assertThat(SocketAddresses.decode(sa, 2)).isEqualTo(UnixSocketAddress.unnamed());
            sa.setString(2, "/run/client.sock");
            assertThat(SocketAddresses.decode(sa, 2 + 17)).isEqualTo(UnixSocketAddress.path("/run/client.sock"));
        }
    }
}
