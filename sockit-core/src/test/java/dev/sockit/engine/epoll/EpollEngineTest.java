package dev.sockit.engine.epoll;

import dev.sockit.engine.EngineConfig;
import dev.sockit.engine.EngineKind;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.ConnectionRecord;
import dev.sockit.server.Listener;
import dev.sockit.service.Chargen;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The epoll engine driven directly, with more loops than this machine has CPUs, so that what the
 * shared server suite cannot choose is exercised: several loops sharing one listener, the connection
 * limit across loops, one loop shared by a bulk stream and interactive clients, and a clean end.
 */
@Timeout(120)
class EpollEngineTest {
    private final RecordingEvents events = new RecordingEvents();

    private static Service service(String name) {
        return Service.named(name).orElseThrow();
    }

    private EpollEngine engine(int loops, int maxConnections) {
        return new EpollEngine(new EngineConfig(events, maxConnections, 16 * 1024, Duration.ZERO, false), loops);
    }

    /** A bound loopback listener served by {@code engine}; returns its address. */
    private static InetSocketAddress listen(EpollEngine engine, String name) throws Exception {
        ServerSocketChannel ch = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        Endpoint bound = Endpoint.of(ch.getLocalAddress());
        engine.serve(new Listener(service(name), Transport.TCP, bound, bound), ch, service(name).stream().apply(Settings.defaults()));
        return (InetSocketAddress) ch.getLocalAddress();
    }

    private static Socket connect(InetSocketAddress a) throws Exception {
        Socket s = new Socket();
        s.connect(a, 5000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** TCP_NODELAY as the server sees it on the one connection open (echo keeps it open). */
    private static int noDelayOfTheOpenConnection(EpollEngine engine) throws Exception {
        Connection c = (Connection) engine.connections.snapshot().iterator().next();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment v = arena.allocate(java.lang.foreign.ValueLayout.JAVA_INT);
            dev.sockit.linux.Libc.getsockopt(c.fd, dev.sockit.linux.Libc.IPPROTO_TCP, dev.sockit.linux.Libc.TCP_NODELAY, v, "TCP_NODELAY");
            return v.get(java.lang.foreign.ValueLayout.JAVA_INT, 0);
        }
    }

    @Test
    void acceptedTcpConnectionsHaveNoDelayByDefaultAndNagleWhenAskedFor() throws Exception {
        for (boolean nagle : new boolean[] {false, true}) {
            EpollEngine engine = engine(1, 100);
            try {
                ServerSocketChannel ch = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
                Endpoint bound = Endpoint.of(ch.getLocalAddress());
                dev.sockit.net.SocketOptions options = nagle ? dev.sockit.net.SocketOptions.DEFAULTS.withNoDelay(false) : dev.sockit.net.SocketOptions.DEFAULTS;
                engine.serve(new Listener(service("echo"), Transport.TCP, bound, bound, options, ""), ch,
                        service("echo").stream().apply(Settings.defaults()));
                try (Socket s = connect((InetSocketAddress) ch.getLocalAddress())) {
                    s.getOutputStream().write(1);
                    assertThat(s.getInputStream().read()).isEqualTo(1); // the connection is up and served
                    assertThat(noDelayOfTheOpenConnection(engine)).as(nagle ? "--nagle" : "default").isEqualTo(nagle ? 0 : 1);
                }
            } finally {
                engine.stopAccepting();
                engine.abort();
            }
        }
    }

    @Test
    void aOneShotServiceAnswersASilentClientWithoutEverRegisteringItsSocket() throws Exception {
        // daytime answers and closes in the session's opened(): nothing to wait for, so no epoll_ctl,
        // and with no unread input no lingering close either (one wake-up and three calls fewer).
        EpollEngine engine = engine(1, 100);
        try {
            InetSocketAddress a = listen(engine, "daytime");
            int registered = engine.registrations();
            for (int i = 0; i < 20; i++) {
                try (Socket s = connect(a)) {
                    assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)).endsWith("\r\n");
                }
                assertThat(events.nextEnded(Duration.ofSeconds(10)).outcome()).isEqualTo("closed");
            }
            assertThat(engine.registrations()).isEqualTo(registered);
        } finally {
            engine.stopAccepting();
            engine.abort();
        }
    }

    @Test
    void aOneShotReplyAndItsFinReachThePeerInOneSegment() throws Exception {
        // Counted by the client's kernel (tcp_info's tcpi_segs_in): the SYN-ACK, then the reply with
        // the FIN. Sent apart, as a plain write and close would, they are three segments.
        EpollEngine engine = engine(1, 100);
        try {
            InetSocketAddress a = listen(engine, "daytime");
            for (int i = 0; i < 5; i++) {
                try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(a)) {
                    java.nio.ByteBuffer reply = java.nio.ByteBuffer.allocate(512);
                    while (client.read(reply) >= 0) {
                        assertThat(reply.hasRemaining()).isTrue();
                    }
                    assertThat(new String(reply.array(), 0, reply.position(), java.nio.charset.StandardCharsets.US_ASCII)).endsWith("\r\n");
                    assertThat(segmentsReceived(client)).as("segments the client received").isEqualTo(2);
                }
                assertThat(events.nextEnded(Duration.ofSeconds(10)).outcome()).isEqualTo("closed");
            }
        } finally {
            engine.stopAccepting();
            engine.abort();
        }
    }

    /** tcp_info's tcpi_segs_in (Linux 4.2+): segments received on {@code ch}'s socket. */
    private static int segmentsReceived(java.nio.channels.SocketChannel ch) throws Exception {
        int fd = dev.sockit.linux.JdkDescriptors.of(ch);
        assertThat(fd).as(dev.sockit.linux.JdkDescriptors.unavailable().orElse("descriptor")).isNotNegative();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment info = arena.allocate(256);
            int length = dev.sockit.linux.Libc.getsockopt(fd, dev.sockit.linux.Libc.IPPROTO_TCP, TCP_INFO, info, "TCP_INFO");
            assertThat(length).as("tcp_info's length").isGreaterThanOrEqualTo(TCPI_SEGS_IN + 4);
            return info.get(java.lang.foreign.ValueLayout.JAVA_INT, TCPI_SEGS_IN);
        }
    }

    private static final int TCP_INFO = 11;
    /** struct tcp_info: 8 one-byte fields, 24 u32s, 4 u64s and tcpi_segs_out come first. */
    private static final int TCPI_SEGS_IN = 140;

    @Test
    void fourLoopsShareOneListenerAndEachConnectionGetsItsOwnBytesBack() throws Exception {
        EpollEngine engine = engine(4, 10_000);
        InetSocketAddress a = listen(engine, "echo");
        int clients = 400;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> ok = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                long seed = i;
                ok.add(ex.submit(() -> {
                    byte[] data = new byte[20_000];
                    new SplittableRandom(seed).nextBytes(data);
                    try (Socket s = connect(a)) {
                        Future<?> writer = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
                            s.getOutputStream().write(data);
                            s.shutdownOutput();
                            return null;
                        });
                        byte[] back = s.getInputStream().readAllBytes();
                        writer.get();
                        return Arrays.equals(back, data);
                    }
                }));
            }
            for (Future<Boolean> f : ok) {
                assertThat(f.get()).isTrue();
            }
        }
        long total = 0;
        for (int i = 0; i < clients; i++) {
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(30));
            assertThat(r.outcome()).isEqualTo("closed");
            total += r.bytesOut();
        }
        assertThat(total).isEqualTo(clients * 20_000L);
        engine.stopAccepting();
        assertThatThrownBy(() -> new Socket(a.getAddress(), a.getPort()).close()).isInstanceOf(ConnectException.class);
        assertThat(engine.awaitIdle(Instant.now().plusSeconds(5))).isTrue();
        engine.abort();
        assertThat(events.warnings).isEmpty();
    }

    @Test
    void connectionsOpenedAtOnceAreSpreadEvenlyOverTheLoops() throws Exception {
        EpollEngine engine = engine(4, 10_000);
        InetSocketAddress a = listen(engine, "echo");
        List<Socket> open = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Socket>> connects = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                connects.add(ex.submit(() -> connect(a)));
            }
            for (Future<Socket> f : connects) {
                Socket s = f.get();
                open.add(s);
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x'); // served, so counted by its loop
            }
            List<Integer> loads = engine.loads();
            assertThat(loads.stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
            assertThat(java.util.Collections.max(loads) - java.util.Collections.min(loads)).as("loads %s", loads).isLessThanOrEqualTo(4);
        } finally {
            for (Socket s : open) {
                s.close();
            }
            engine.stopAccepting();
            engine.abort();
        }
    }

    /** Connections queued before the loop first looks: more than any one batch takes, all are served, none left waiting. */
    @Test
    void aBacklogLongerThanTheLargestAcceptBatchIsAllServed() throws Exception {
        EpollEngine engine = engine(1, 10_000);
        ServerSocketChannel ch = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        InetSocketAddress a = (InetSocketAddress) ch.getLocalAddress();
        List<Socket> queued = new ArrayList<>();
        try {
            for (int i = 0; i < 3 * AcceptBatch.MAX + 5; i++) {
                queued.add(connect(a)); // completed by the kernel, waiting in the backlog: nothing accepts yet
            }
            Endpoint bound = Endpoint.of(a);
            engine.serve(new Listener(service("daytime"), Transport.TCP, bound, bound), ch, service("daytime").stream().apply(Settings.defaults()));
            for (Socket s : queued) {
                assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)).endsWith("\r\n").hasSizeGreaterThan(20);
            }
        } finally {
            for (Socket s : queued) {
                s.close();
            }
            engine.stopAccepting();
            engine.abort();
        }
    }

    @Test
    void theConnectionLimitHoldsAcrossLoops() throws Exception {
        EpollEngine engine = engine(4, 2);
        InetSocketAddress a = listen(engine, "echo");
        try (Socket first = connect(a); Socket second = connect(a); Socket third = connect(a)) {
            for (Socket s : List.of(first, second)) {
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
            }
            third.getOutputStream().write('c');
            third.setSoTimeout(500);
            InputStream in = third.getInputStream();
            assertThatThrownBy(in::read).as("the third waits in the backlog").isInstanceOf(java.net.SocketTimeoutException.class);
            second.close(); // a token comes back, on whichever loop served the second
            third.setSoTimeout(10_000);
            assertThat(in.read()).isEqualTo('c');
        } finally {
            engine.stopAccepting();
            engine.abort();
        }
    }

    @Test
    void aBulkStreamAndInteractiveClientsShareOneLoop() throws Exception {
        EpollEngine engine = engine(1, 10_000);
        InetSocketAddress chargen = listen(engine, "chargen");
        InetSocketAddress echo = listen(engine, "echo");
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong streamed = new AtomicLong();
        try (Socket bulk = connect(chargen); ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Boolean> reader = ex.submit(() -> {
                InputStream in = bulk.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long offset = 0;
                while (!done.get()) {
                    int n = in.read(buf);
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != Chargen.byteAt(offset + i)) {
                            return false;
                        }
                    }
                    offset += n;
                    streamed.set(offset);
                }
                return true;
            });
            awaitMoreThan(streamed, 0); // chargen is streaming
            try (Socket s = connect(echo)) {
                for (int i = 0; i < 200; i++) {
                    s.getOutputStream().write(new byte[] {(byte) i});
                    assertThat(s.getInputStream().read()).isEqualTo(i);
                }
            }
            awaitMoreThan(streamed, streamed.get()); // and still is
            done.set(true);
            assertThat(reader.get()).as("chargen's stream stayed byte-exact").isTrue();
        } finally {
            engine.stopAccepting();
            engine.abort();
        }
    }

    private static void awaitMoreThan(AtomicLong value, long than) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (value.get() <= than) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("still " + value.get() + " after 20 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void abortClosesWhatIsOpenAndEndsTheLoops() throws Exception {
        EpollEngine engine = engine(2, 10_000);
        InetSocketAddress a = listen(engine, "echo");
        try (Socket idle = connect(a)) {
            idle.getOutputStream().write('x');
            assertThat(idle.getInputStream().read()).isEqualTo('x');
            engine.stopAccepting();
            assertThat(engine.awaitIdle(Instant.now().plusMillis(200))).isFalse();
            engine.abort();
            assertThat(events.nextEnded(Duration.ofSeconds(5)).outcome()).isEqualTo("server stopping");
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            assertThat(engine.running()).as("loop threads still alive").isZero();
        }
    }

    @Test
    void itRunsHereAndSaysWhyWhereItCannot() {
        assertThat(EpollEngine.unavailable()).as("Linux with FFM and sun.nio.ch exported, as in this build").isEmpty();
        assertThat(EngineKind.preferred()).isEqualTo(EngineKind.EPOLL);
        assertThat(EngineKind.parse(" Threads ")).isEqualTo(EngineKind.THREADS);
        assertThatThrownBy(() -> EngineKind.parse("kqueue")).hasMessage("unknown engine 'kqueue'; engines: threads, epoll");
    }
}
