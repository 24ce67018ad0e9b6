package dev.sockit.cli;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.Chargen;
import dev.sockit.service.Echo;
import dev.sockit.service.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sockit connect} and {@code sockit listen}, run as the packaged program. */
@Timeout(120)
class ConnectListenIT {
    private static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");

    private static Server echo(Endpoint at) throws IOException {
        return serve("echo", at);
    }

    private static Server serve(String service, Endpoint at) throws IOException {
        return Server.builder().serve(Service.named(service).orElseThrow(), Transport.TCP, at).events(new ServerEvents() {
        }).start();
    }

    /** A hosts file for the CLI's JVM, so names resolve from it and not from DNS. */
    private static List<String> hosts(Path dir, String content) throws IOException {
        Path f = dir.resolve("hosts");
        Files.writeString(f, content);
        return List.of("-Djdk.net.hosts.file=" + f);
    }

    @Test
    void connectRelaysStdinToAnEchoServerAndPrintsTheEcho() throws Exception {
        try (Server s = echo(Endpoint.parse("[::1]:0"))) {
            ClientProcess.Result r = ClientProcess.run("hi\n".getBytes(), "connect", s.endpoint().toString());
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("hi\n");
            assertThat(r.err()).isEmpty();
        }
    }

    /**
     * {@code sockit connect HOST:chargen | head -c 100}: once the reader of its output has gone, connect
     * ends at once and quietly, with the exit status of a program killed by SIGPIPE (it went on for ever).
     */
    @Test
    void connectEndsQuietlyWhenTheReaderOfItsOutputGoesAway() throws Exception {
        try (Server s = serve("chargen", Endpoint.parse("127.0.0.1:0"))) {
            Process p = ClientProcess.start(List.of(), "connect", s.endpoint().toString());
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return p.getErrorStream().readAllBytes();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // stdin stays open (a pipe nobody writes to), so only the output can end the relay.
            byte[] first = p.getInputStream().readNBytes(100);
            assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo((Chargen.line(0) + Chargen.line(1)).substring(0, 100));
            p.getInputStream().close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("connect ended after its reader went away").isTrue();
            assertThat(p.exitValue()).isEqualTo(141);
            assertThat(new String(err.get(), StandardCharsets.UTF_8)).isEmpty();
            p.getOutputStream().close();
        }
    }

    /** An output that fails otherwise (a full disk: /dev/full) is said, with exit 1: only a reader gone is quiet. */
    @Test
    void connectSaysWhenItsOutputFailsForAnotherReason() throws Exception {
        try (Server s = serve("chargen", Endpoint.parse("127.0.0.1:0"))) {
            Process p = new ProcessBuilder(ClientProcess.command(List.of(), List.of("connect", s.endpoint().toString())))
                    .redirectOutput(new java.io.File("/dev/full")).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("sockit: cannot write the output: No space left on device\n");
            assertThat(p.exitValue()).isEqualTo(1);
            p.getOutputStream().close();
        }
    }

    /** How many bytes the one client {@code counter} accepts sends before it closes. */
    private static CompletableFuture<Long> countWhatTheClientSends(ServerSocket counter) {
        CompletableFuture<Long> received = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = counter.accept()) {
                received.complete(s.getInputStream().transferTo(OutputStream.nullOutputStream()));
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        });
        return received;
    }

    /**
     * Started with stdin closed ({@code <&-}), sockit sends nothing, as nc does. The JVM's first file
     * (its lib/modules, 140 MB) takes fd 0 then, and was sent to the peer as if it were the input.
     */
    @Test
    void aClosedStdinIsAnEmptyInput() throws Exception {
        try (ServerSocket counter = new ServerSocket(0, 5, V4)) {
            CompletableFuture<Long> received = countWhatTheClientSends(counter);
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exec \"$@\" <&-", "sh"));
            cmd.addAll(ClientProcess.command(List.of(), List.of("connect", "127.0.0.1:" + counter.getLocalPort())));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
            assertThat(p.exitValue()).isZero();
            assertThat(received.get(10, TimeUnit.SECONDS)).isZero();
        }
    }

    /** A file of the JVM's own given as stdin (the jar, to copy sockit elsewhere) is an input like any other. */
    @Test
    void theJarAsStdinIsSentWhole() throws Exception {
        try (ServerSocket counter = new ServerSocket(0, 5, V4)) {
            CompletableFuture<Long> received = countWhatTheClientSends(counter);
            Process p = new ProcessBuilder(ClientProcess.command(List.of(), List.of("connect", "127.0.0.1:" + counter.getLocalPort())))
                    .redirectInput(SockitProcess.jar().toFile()).redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(Files.size(SockitProcess.jar()));
        }
    }

    /** Over UDP there is no handshake to try each address on: a refusal from the first names the others. */
    @Test
    void aUdpRefusalFromTheFirstAddressNamesTheOthers(@TempDir Path dir) throws Exception {
        try (DatagramSocket v4only = new DatagramSocket(0, V4)) { // holds the port on 127.0.0.1; ::1 has nobody
            ClientProcess.Result r = ClientProcess.run(hosts(dir, "127.0.0.1 dual.test\n::1 dual.test\n"), "hi\n".getBytes(),
                    "connect", "dual.test:" + v4only.getLocalPort(), "--udp");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("sockit: udp [::1]:" + v4only.getLocalPort() + " refused our datagrams (port unreachable:"
                    + " nothing listens there now); over UDP only the first address of 'dual.test' is used: name another (127.0.0.1)"
                    + " or choose a family with -4 or -6\n");
        }
    }

    @Test
    void connectTriesIpv6FirstAndFallsBackToIpv4(@TempDir Path dir) throws Exception {
        // dual.test has both loopback addresses; only 127.0.0.1 has a server on the port.
        try (Server s = echo(Endpoint.parse("127.0.0.1:0"))) {
            int port = ((Endpoint.Inet) s.endpoint()).port();
            ClientProcess.Result r = ClientProcess.run(hosts(dir, "127.0.0.1 dual.test\n::1 dual.test\n"), "hi\n".getBytes(),
                    "connect", "dual.test:" + port, "-v");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("hi\n");
            assertThat(r.err()).isEqualTo("sockit: [::1]:" + port + " refused\nsockit: connected to 127.0.0.1:" + port + "\n");
        }
    }

    @Test
    void whenEveryAddressFailsOneLineNamesEachAndWhy(@TempDir Path dir) throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, V4)) {
            dead = s.getLocalPort();
        }
        ClientProcess.Result r = ClientProcess.run(hosts(dir, "127.0.0.1 dual.test\n::1 dual.test\n"), new byte[0],
                "connect", "dual.test:" + dead);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sockit: cannot connect to tcp dual.test:" + dead + " — [::1]:" + dead + " refused; 127.0.0.1:"
                + dead + " refused\n");
    }

    @Test
    void anUnknownNameSaysSo(@TempDir Path dir) throws Exception {
        ClientProcess.Result r = ClientProcess.run(hosts(dir, "127.0.0.1 known.test\n"), new byte[0], "connect", "nosuch.test:7");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sockit: unknown host 'nosuch.test' (the name has no A or AAAA record)\n");
    }

    @Test
    void minusSixRefusesANameWithOnlyIpv4(@TempDir Path dir) throws Exception {
        ClientProcess.Result r = ClientProcess.run(hosts(dir, "127.0.0.1 v4.test\n"), new byte[0], "daytime", "v4.test", "-6");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("sockit: 'v4.test' has no IPv6 address (it has 127.0.0.1)\n");
    }

    @Test
    void theEndOfStdinHalfClosesAndTheAnswerStillArrives() throws Exception {
        try (ServerSocket counter = new ServerSocket(0, 5, V4)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = counter.accept()) {
                    long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                    s.getOutputStream().write(("got " + n + " bytes\n").getBytes());
                } catch (IOException ignored) {
                    // the test reports
                }
            });
            ClientProcess.Result r = ClientProcess.run("hello".getBytes(), "connect", "127.0.0.1:" + counter.getLocalPort());
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("got 5 bytes\n");
        }
    }

    @Test
    void connectOverAUnixSocket(@TempDir Path dir) throws Exception {
        Endpoint unix = Endpoint.parse("unix:" + dir.resolve("echo.sock"));
        try (Server s = echo(unix)) {
            ClientProcess.Result r = ClientProcess.run("over unix\n".getBytes(), "connect", unix.toString());
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("over unix\n");
        }
    }

    @Test
    void connectOverUdpSendsALinePerDatagram() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (DatagramChannel udp = DatagramChannel.open()) {
            udp.bind(new InetSocketAddress(V4, 0));
            Thread.ofVirtual().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(2048);
                try {
                    while (true) {
                        var from = udp.receive(buf.clear());
                        buf.flip();
                        seen.add(StandardCharsets.US_ASCII.decode(buf.duplicate()).toString());
                        udp.send(Echo.DATAGRAM.answer(buf, "").orElseThrow(), from);
                    }
                } catch (IOException ignored) {
                    // closed
                }
            });
            int port = ((InetSocketAddress) udp.getLocalAddress()).getPort();
            ClientProcess.Result r = ClientProcess.run("one\ntwo\n".getBytes(), "connect", "127.0.0.1:" + port, "--udp", "--lines",
                    "--timeout", "500ms");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("one\ntwo\n");
            assertThat(seen).containsExactly("one\n", "two\n");
        }
    }

    @Test
    void listenAcceptsOneClientAndRelaysBothWays() throws Exception {
        Process p = ClientProcess.start(List.of(), "listen", "127.0.0.1:0");
        try {
            BufferedReader err = ClientProcess.lines(p.getErrorStream());
            Endpoint at = Endpoint.parse(ClientProcess.listeningEndpoint(err));
            CompletableFuture<byte[]> out = ClientProcess.drain(p.getInputStream());
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write("pong\n".getBytes());
            }
            try (Socket s = new Socket()) {
                s.connect(((Endpoint.Inet) at).toSocketAddress(), 5000);
                s.getOutputStream().write("ping\n".getBytes());
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("pong\n");
            }
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(new String(out.get(), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
        } finally {
            ClientProcess.stop(p);
        }
    }

    @Test
    void listenKeepOpenServesAHundredClientsAtOnce() throws Exception {
        Process p = ClientProcess.start(List.of(), "listen", "[::1]:0", "--keep-open");
        try {
            Endpoint.Inet at = (Endpoint.Inet) Endpoint.parse(ClientProcess.listeningEndpoint(ClientProcess.lines(p.getErrorStream())));
            BufferedReader out = ClientProcess.lines(p.getInputStream());
            int clients = 100;
            List<String> expected = Collections.synchronizedList(new ArrayList<>());
            List<Socket> open = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch connected = new CountDownLatch(clients);
            for (int i = 0; i < clients; i++) {
                int n = i;
                Thread.ofVirtual().start(() -> {
                    try {
                        Socket s = new Socket();
                        s.connect(at.toSocketAddress(), 10_000);
                        open.add(s);
                        expected.add("[::1]:" + s.getLocalPort() + ": client " + n);
                        s.getOutputStream().write(("client " + n + "\n").getBytes());
                    } catch (IOException e) {
                        expected.add("CLIENT FAILED " + e);
                    } finally {
                        connected.countDown();
                    }
                });
            }
            assertThat(connected.await(60, TimeUnit.SECONDS)).isTrue();
            // Every client still holds its connection open: the lines can only all arrive if all are served at once.
            List<String> printed = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                printed.add(out.readLine());
            }
            assertThat(printed).containsExactlyInAnyOrderElementsOf(expected);
            for (Socket s : open) {
                s.close();
            }
        } finally {
            ClientProcess.stop(p);
        }
    }

    /** {@code sockit listen :PORT --keep-open | head -1}: the next line finds no reader, and listen ends as connect does. */
    @Test
    void listenKeepOpenEndsQuietlyWhenTheReaderOfItsOutputGoesAway() throws Exception {
        Process p = ClientProcess.start(List.of(), "listen", "127.0.0.1:0", "--keep-open");
        try {
            BufferedReader err = ClientProcess.lines(p.getErrorStream());
            Endpoint.Inet at = (Endpoint.Inet) Endpoint.parse(ClientProcess.listeningEndpoint(err));
            BufferedReader out = ClientProcess.lines(p.getInputStream());
            try (Socket s = new Socket()) {
                s.connect(at.toSocketAddress(), 5000);
                s.getOutputStream().write("first\n".getBytes());
                assertThat(out.readLine()).isEqualTo("127.0.0.1:" + s.getLocalPort() + ": first");
                p.getInputStream().close();
                s.getOutputStream().write("second\n".getBytes());
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("listen ended after its reader went away").isTrue();
            }
            assertThat(p.exitValue()).isEqualTo(141);
            assertThat(err.readLine()).as("nothing more said").isNull();
        } finally {
            ClientProcess.stop(p);
        }
    }

    /** keepalive --listen waits for its client no longer than --duration (it waited for ever). */
    @Test
    void keepaliveListenGivesUpWhenNoClientComesWithinTheDuration() throws Exception {
        ClientProcess.Result r = ClientProcess.run(new byte[0], "keepalive", "--listen", "127.0.0.1:0", "--duration", "300ms");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).startsWith("sockit: listening on 127.0.0.1:");
        assertThat(r.err()).matches("sockit: no client connected to 127\\.0\\.0\\.1:\\d+ within --duration 300ms\n");
    }

    @Test
    void listenExecRunsTheProgramPerConnection() throws Exception {
        Process p = ClientProcess.start(List.of(), "listen", "127.0.0.1:0", "--keep-open", "--exec", "tr a-z A-Z");
        try {
            Endpoint.Inet at = (Endpoint.Inet) Endpoint.parse(ClientProcess.listeningEndpoint(ClientProcess.lines(p.getErrorStream())));
            for (String word : List.of("hello", "world")) {
                try (Socket s = new Socket()) {
                    s.connect(at.toSocketAddress(), 5000);
                    s.getOutputStream().write((word + "\n").getBytes());
                    s.shutdownOutput();
                    assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(word.toUpperCase() + "\n");
                }
            }
        } finally {
            ClientProcess.stop(p);
        }
    }

    /** One client, one program: listen ends with the program's exit status, as a script needs. */
    @Test
    void listenExecForOneClientExitsWithTheProgramsStatus() throws Exception {
        Process p = ClientProcess.start(List.of(), "listen", "127.0.0.1:0", "--exec", "cat; exit 3");
        try {
            Endpoint.Inet at = (Endpoint.Inet) Endpoint.parse(ClientProcess.listeningEndpoint(ClientProcess.lines(p.getErrorStream())));
            try (Socket s = new Socket()) {
                s.connect(at.toSocketAddress(), 5000);
                s.getOutputStream().write("bye\n".getBytes());
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
            }
            assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(3);
        } finally {
            ClientProcess.stop(p);
        }
    }

    @Test
    void listenOverUdpPrintsTheDatagrams() throws Exception {
        Process p = ClientProcess.start(List.of(), "listen", "127.0.0.1:0", "--udp", "--keep-open");
        try {
            Endpoint.Inet at = (Endpoint.Inet) Endpoint.parse(ClientProcess.listeningEndpoint(ClientProcess.lines(p.getErrorStream())));
            BufferedReader out = ClientProcess.lines(p.getInputStream());
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(V4, 0))) {
                byte[] msg = "hello over udp\n".getBytes();
                d.send(new DatagramPacket(msg, msg.length, at.toSocketAddress()));
                assertThat(out.readLine()).isEqualTo("127.0.0.1:" + d.getLocalPort() + ": hello over udp");
            }
        } finally {
            ClientProcess.stop(p);
        }
    }

    @Test
    void listenUsageErrors() throws Exception {
        ClientProcess.Result execUdp = ClientProcess.run(new byte[0], "listen", ":0", "--udp", "--exec", "cat");
        assertThat(execUdp.exit()).isEqualTo(2);
        assertThat(execUdp.err()).startsWith("sockit: --exec needs a stream socket: drop --udp\n");

        ClientProcess.Result noPort = ClientProcess.run(new byte[0], "listen", "localhost");
        assertThat(noPort.exit()).isEqualTo(2);
    }
}
