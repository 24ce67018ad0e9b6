package dev.sockit.cli.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that get it wrong, written here with plain JDK sockets: the bench must count what they do
 * wrong, and must end by itself whatever they do.
 */
@Timeout(60)
class MisbehavingServersTest {

    /** A TCP server on 127.0.0.1:0 running {@code conversation} on each connection (one thread each). */
    static final class TcpServer implements AutoCloseable {
        final ServerSocket socket;

        TcpServer(Consumer<Socket> conversation) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                conversation.accept(s);
                            } catch (IOException ignored) {
                                // the bench hung up
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        SocketAddress address() {
            return socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Plan plan(SocketAddress target, Mode mode, String service, boolean udp, Duration timeout) {
        return new Plan(target, target.toString(), udp, mode, service, 1, 64, Duration.ofMillis(300), Duration.ZERO, 0,
                List.of(), true, timeout, Plan.Threads.AUTO);
    }

    @Test
    void anEchoThatChangesAByteIsAMismatch() throws Exception {
        try (TcpServer s = new TcpServer(sock -> {
            try {
                InputStream in = sock.getInputStream();
                OutputStream out = sock.getOutputStream();
                byte[] b = new byte[64];
                int n;
                long total = 0;
                while ((n = in.read(b)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (total + i == 100) {
                            b[i]++; // one wrong byte, in the second message
                        }
                    }
                    total += n;
                    out.write(b, 0, n);
                }
            } catch (IOException ignored) {
                // ended
            }
        })) {
            Result r = new Bench(plan(s.address(), Mode.PINGPONG, "echo", false, Duration.ofSeconds(2)), 0, Bench.quiet()).run();
            assertThat(r.mismatches()).isEqualTo(1);
            assertThat(r.firstMismatch()).contains("message 1").contains("byte 100");
            assertThat(r.failed()).isTrue();
        }
    }

    /** Streaming "echo" at a discard port: everything sent, nothing back, and the server closes cleanly after our end. */
    @Test
    void anEchoStreamThatNothingComesBackFromIsAMismatch() throws Exception {
        Result r = stream("echo", (in, out) -> in.transferTo(OutputStream.nullOutputStream()));
        assertThat(r.sent()).isPositive();
        assertThat(r.received()).isZero();
        assertThat(r.firstMismatch()).startsWith("the echo stream ended after 0 of the ").endsWith(" bytes sent (is it an echo server?)");
        assertThat(r.failed()).isTrue();
    }

    /** Streaming to "discard" at an echo port: what comes back is a mismatch, not something to drop quietly. */
    @Test
    void aDiscardThatSendsBackIsAMismatch() throws Exception {
        Result r = stream("discard", InputStream::transferTo);
        assertThat(r.firstMismatch()).startsWith("a discard server sends nothing; ").endsWith(" bytes came back (is it an echo server?)");
        assertThat(r.failed()).isTrue();
    }

    /** What a server's side of a connection does with its input and output. */
    private interface Streams {
        void run(InputStream in, OutputStream out) throws IOException;
    }

    /** A stream run against a server doing {@code server} on each connection, as {@code service} would be benched. */
    private static Result stream(String service, Streams server) throws Exception {
        try (TcpServer s = new TcpServer(sock -> {
            try {
                server.run(sock.getInputStream(), sock.getOutputStream());
            } catch (IOException ignored) {
                // ended
            }
        })) {
            return new Bench(plan(s.address(), Mode.STREAM, service, false, Duration.ofSeconds(2)), 0, Bench.quiet()).run();
        }
    }

    @Test
    void aDaytimeLineWithoutCrLfIsAMismatch() throws Exception {
        try (TcpServer s = new TcpServer(sock -> {
            try {
                sock.getOutputStream().write("Wed Nov 25 03:07:10 2026\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // ended
            }
        })) {
            Result r = new Bench(plan(s.address(), Mode.CONNRATE, "daytime", false, Duration.ofSeconds(2)), 0, Bench.quiet()).run();
            assertThat(r.ops()).isPositive();
            assertThat(r.mismatches()).isEqualTo(r.ops());
            assertThat(r.firstMismatch()).contains("CR LF");
        }
    }

    @Test
    void aServerThatHangsUpMidMessageIsAnError() throws Exception {
        try (TcpServer s = new TcpServer(sock -> {
            try {
                sock.getInputStream().readNBytes(64);
                sock.getOutputStream().write(new byte[10]); // 10 of the 64 bytes owed, then gone
            } catch (IOException ignored) {
                // ended
            }
        })) {
            Result r = new Bench(plan(s.address(), Mode.PINGPONG, "echo", false, Duration.ofSeconds(2)), 0, Bench.quiet()).run();
            assertThat(r.errors()).isEqualTo(1);
            assertThat(r.firstError()).contains("closed the connection early").contains("10 of 64");
            assertThat(r.failed()).isTrue();
        }
    }

    @Test
    void aServerThatNeverAnswersCannotHoldTheRunPastItsTimeout() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        try (TcpServer s = new TcpServer(sock -> {
            connected.countDown();
            try {
                sock.getInputStream().readAllBytes(); // reads, never answers, until the bench closes
            } catch (IOException ignored) {
                // ended
            }
        })) {
            Result r = new Bench(plan(s.address(), Mode.PINGPONG, "echo", false, Duration.ofMillis(200)), 0, Bench.quiet()).run();
            assertThat(connected.getCount()).isZero();
            assertThat(r.ops()).isZero();
            assertThat(r.failed()).isTrue();
        }
    }

    @Test
    void connectionRefusedIsAnErrorThatEndsTheRunEarly() throws Exception {
        SocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = s.getLocalSocketAddress();
        }
        Plan p = new Plan(nobody, nobody.toString(), false, Mode.PINGPONG, "echo", 1, 64, Duration.ofSeconds(30), Duration.ZERO, 0,
                List.of(), true, Duration.ofSeconds(2), Plan.Threads.AUTO);
        Result r = new Bench(p, 0, Bench.quiet()).run(); // the 30 s duration is not waited out: the @Timeout would fail
        assertThat(r.errors()).isEqualTo(1);
        assertThat(r.firstError()).contains("connection refused");
        assertThat(r.failed()).isTrue();
    }

    @Test
    void aRunThatFailsDuringTheWarmUpMeasuredNothingAndSaysSo() throws Exception {
        SocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = s.getLocalSocketAddress();
        }
        Plan p = new Plan(nobody, nobody.toString(), false, Mode.PINGPONG, "echo", 1, 64, Duration.ofSeconds(30), Duration.ofSeconds(20), 0,
                List.of(), true, Duration.ofSeconds(2), Plan.Threads.AUTO);
        Result r = new Bench(p, 0, Bench.quiet()).run(); // ends at once: neither the warm-up nor the run is waited out
        assertThat(r.failed()).isTrue();
        assertThat(r.seconds()).isZero();
        assertThat(r.cpuShare()).isZero(); // was a division by 1 ns: shares in the millions
        assertThat(r.opsPerSecond()).isZero();
        assertThat(r.othersCpuShare()).isZero();
    }

    @Test
    void udpRoundTripsCountWhatTheServerDrops() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread.ofVirtual().start(() -> {
                byte[] b = new byte[2048];
                DatagramPacket p = new DatagramPacket(b, b.length);
                try {
                    while (true) {
                        p.setLength(b.length);
                        server.receive(p);
                        if ((b[7] & 1) == 0) { // echo even sequence numbers only: every other datagram is "lost"
                            server.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                        }
                    }
                } catch (IOException ignored) {
                    // closed
                }
            });
            Result r = new Bench(plan(server.getLocalSocketAddress(), Mode.PINGPONG, "echo", true, Duration.ofMillis(20)), 0,
                    Bench.quiet()).run();
            assertThat(r.ops()).isPositive();
            assertThat(r.lost()).isPositive();
            assertThat(r.mismatches()).isZero();
            assertThat(r.errors()).isZero();
            assertThat(r.received()).isEqualTo(r.ops() * 64);
        }
    }

    @Test
    void aUdpEchoThatChangesTheDatagramIsAMismatch() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread.ofVirtual().start(() -> {
                byte[] b = new byte[2048];
                DatagramPacket p = new DatagramPacket(b, b.length);
                try {
                    while (true) {
                        p.setLength(b.length);
                        server.receive(p);
                        b[20] ^= 0x55;
                        server.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                    }
                } catch (IOException ignored) {
                    // closed
                }
            });
            Result r = new Bench(plan(server.getLocalSocketAddress(), Mode.PINGPONG, "echo", true, Duration.ofMillis(500)), 0,
                    Bench.quiet()).run();
            assertThat(r.mismatches()).isPositive().isEqualTo(r.ops());
            assertThat(r.firstMismatch()).contains("byte 20");
        }
    }
}
