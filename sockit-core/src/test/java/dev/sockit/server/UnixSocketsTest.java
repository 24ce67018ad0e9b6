package dev.sockit.server;

import dev.sockit.io.ByteStream;
import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.linux.UnixStreamSocket;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.service.Qotd;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every service over Unix stream and Unix datagram sockets, on a path and on a Linux abstract name,
 * and the hygiene of socket files.
 */
@Timeout(30)
class UnixSocketsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T03:07:10Z"), ZoneOffset.UTC);
    private static final String CHARGEN_LINE = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n";
    private static final String CHARGEN_LINE_2 = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n";

    @TempDir
    Path dir;

    private final DatagramTestEvents events = new DatagramTestEvents();
    private final List<String> printed = new ArrayList<>();
    private final Settings settings = Settings.defaults().withClock(CLOCK)
            .withQuotes(Qotd.of(List.of("To be, or not to be.")))
            .withPrinter((peer, bytes, length) -> {
                synchronized (printed) {
                    printed.add(peer + ": " + new String(bytes, 0, length, StandardCharsets.UTF_8));
                }
            });

    enum Kind { PATH, ABSTRACT }

    private Endpoint.Unix endpoint(Kind kind, String name) {
        return kind == Kind.PATH ? new Endpoint.Unix(dir.resolve(name).toString(), false)
                : new Endpoint.Unix("sockit-test-" + name + "-" + UUID.randomUUID(), true);
    }

    private Server serve(String service, Transport transport, Endpoint.Unix at) throws java.io.IOException {
        return Loopback.builder().settings(settings).events(events).reportEvery(Duration.ofMillis(20)).grace(Duration.ofSeconds(1))
                .serve(Service.named(service).orElseThrow(), transport, at).start();
    }

    // ---- stream ----

    private static ByteStream connect(Endpoint.Unix e) throws IOException {
        return e.abstractName() ? UnixStreamSocket.connect(UnixSocketAddress.of(e)) : ByteStream.of(SocketChannel.open(e.toSocketAddress()));
    }

    /** Sends {@code request}, half-closes, and reads until the server closes (or {@code max} bytes). */
    private static byte[] talk(Endpoint.Unix at, String request, int max) throws IOException {
        try (ByteStream s = connect(at)) {
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                s.write(out);
            }
            if (max == Integer.MAX_VALUE) {
                s.shutdownOutput();
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (got.size() < max) {
                in.clear();
                in.limit(Math.min(in.capacity(), max - got.size()));
                if (s.read(in) < 0) {
                    break;
                }
                got.write(in.array(), 0, in.position());
            }
            return got.toByteArray();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void echoOverAUnixStream(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "echo.sock");
        try (Server server = serve("echo", Transport.TCP, at)) {
            assertThat(server.listeners()).singleElement().hasToString("echo unix " + at);
            assertThat(text(talk(at, "hello\r\nworld", Integer.MAX_VALUE))).isEqualTo("hello\r\nworld");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void discardOverAUnixStream(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "discard.sock");
        try (Server server = serve("discard", Transport.TCP, at)) {
            assertThat(talk(at, "into the void", Integer.MAX_VALUE)).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void daytimeQotdAndTimeOverAUnixStream(Kind kind) throws Exception {
        Endpoint.Unix daytime = endpoint(kind, "daytime.sock");
        Endpoint.Unix qotd = endpoint(kind, "qotd.sock");
        Endpoint.Unix time = endpoint(kind, "time.sock");
        try (Server server = Loopback.builder().settings(settings).events(events)
                .serve(Service.named("daytime").orElseThrow(), Transport.TCP, daytime)
                .serve(Service.named("qotd").orElseThrow(), Transport.TCP, qotd)
                .serve(Service.named("time").orElseThrow(), Transport.TCP, time).start()) {
            assertThat(text(talk(daytime, "", Integer.MAX_VALUE))).isEqualTo("Wed Nov 25 03:07:10 2026\r\n");
            assertThat(text(talk(qotd, "", Integer.MAX_VALUE))).isEqualTo("To be, or not to be.\r\n");
            assertThat(talk(time, "", Integer.MAX_VALUE)).containsExactly(0xee, 0xb0, 0xcf, 0x5e);
            // Each ended as it should: the threads engine once failed each one on a Unix socket file,
            // looking for unread input through a socket() view the JDK has only for TCP.
            events.await(() -> events.connections().size() == 3, "three connections' ends");
            assertThat(events.connections()).extracting(ConnectionRecord::outcome).containsOnly("closed");
            assertThat(events.warnings()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void chargenOverAUnixStream(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "chargen.sock");
        try (Server server = serve("chargen", Transport.TCP, at)) {
            assertThat(text(talk(at, "", 2 * 74))).isEqualTo(CHARGEN_LINE + CHARGEN_LINE_2);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void sinkOverAUnixStreamPrintsLinesWithThePeersCredentials(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "sink.sock");
        try (Server server = serve("sink", Transport.TCP, at)) {
            assertThat(talk(at, "first\nsecond\n", Integer.MAX_VALUE)).isEmpty();
            events.await(() -> events.connections().size() == 1, "the connection's end");
        }
        String me = "unix:(pid " + ProcessHandle.current().pid() + " uid " + uid() + ")";
        synchronized (printed) {
            assertThat(printed).containsExactly(me + ": first", me + ": second");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theConnectionLogShowsThePeersPidAndUid(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "echo.sock");
        try (Server server = serve("echo", Transport.TCP, at)) {
            talk(at, "x", Integer.MAX_VALUE);
            events.await(() -> events.connections().size() == 1, "the connection's end");
        }
        assertThat(events.connections()).singleElement().satisfies(c -> {
            assertThat(c.peer()).isEqualTo("unix:(pid " + ProcessHandle.current().pid() + " uid " + uid() + ")");
            assertThat(c.bytesIn()).isEqualTo(1);
            assertThat(c.bytesOut()).isEqualTo(1);
        });
    }

    private static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    // ---- datagram ----

    private UnixDatagramSocket client(Kind kind) throws IOException {
        UnixSocketAddress me = kind == Kind.PATH ? UnixSocketAddress.path(dir.resolve("client-" + UUID.randomUUID() + ".dgram"))
                : UnixSocketAddress.abstractName("sockit-test-client-" + UUID.randomUUID());
        UnixDatagramSocket s = UnixDatagramSocket.bind(me);
        s.setReceiveTimeout(Duration.ofSeconds(5));
        return s;
    }

    private static byte[] exchange(UnixDatagramSocket client, Endpoint.Unix to, byte[] request) throws IOException {
        client.send(ByteBuffer.wrap(request), UnixSocketAddress.of(to));
        ByteBuffer reply = ByteBuffer.allocate(70_000);
        var r = client.receive(reply);
        assertThat(r.sender()).as("the reply's sender").isEqualTo(UnixSocketAddress.of(to));
        return Arrays.copyOf(reply.array(), reply.position());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void echoOverUnixDatagramsSendsEachBackUnchanged(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "echo.dgram");
        try (Server server = serve("echo", Transport.UDP, at); UnixDatagramSocket client = client(kind)) {
            assertThat(server.listeners()).singleElement().hasToString("echo unixgram " + at);
            for (int size : new int[] {0, 1, 512, 8192, 65_507}) {
                byte[] request = new byte[size];
                new java.util.Random(size).nextBytes(request);
                assertThat(exchange(client, at, request)).as("echo of %d bytes", size).isEqualTo(request);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void chargenDaytimeQotdAndTimeOverUnixDatagrams(Kind kind) throws Exception {
        Endpoint.Unix chargen = endpoint(kind, "chargen.dgram");
        Endpoint.Unix daytime = endpoint(kind, "daytime.dgram");
        Endpoint.Unix qotd = endpoint(kind, "qotd.dgram");
        Endpoint.Unix time = endpoint(kind, "time.dgram");
        try (Server server = Loopback.builder().settings(settings).events(events)
                .serve(Service.named("chargen").orElseThrow(), Transport.UDP, chargen)
                .serve(Service.named("daytime").orElseThrow(), Transport.UDP, daytime)
                .serve(Service.named("qotd").orElseThrow(), Transport.UDP, qotd)
                .serve(Service.named("time").orElseThrow(), Transport.UDP, time).start();
             UnixDatagramSocket client = client(kind)) {
            assertThat(text(exchange(client, chargen, new byte[0]))).isEqualTo(CHARGEN_LINE);
            assertThat(text(exchange(client, daytime, new byte[] {'?'}))).isEqualTo("Wed Nov 25 03:07:10 2026\r\n");
            assertThat(text(exchange(client, qotd, new byte[0]))).isEqualTo("To be, or not to be.\r\n");
            assertThat(exchange(client, time, new byte[0])).containsExactly(0xee, 0xb0, 0xcf, 0x5e);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void discardAndSinkOverUnixDatagramsAnswerNothing(Kind kind) throws Exception {
        Endpoint.Unix discard = endpoint(kind, "discard.dgram");
        Endpoint.Unix sink = endpoint(kind, "sink.dgram");
        String sender;
        try (Server server = Loopback.builder().settings(settings).events(events).reportEvery(Duration.ofMillis(20))
                .serve(Service.named("discard").orElseThrow(), Transport.UDP, discard)
                .serve(Service.named("sink").orElseThrow(), Transport.UDP, sink).start();
             UnixDatagramSocket client = client(kind)) {
            client.send(ByteBuffer.wrap("gone".getBytes(StandardCharsets.UTF_8)), UnixSocketAddress.of(discard));
            client.send(ByteBuffer.wrap("hello, sink\n".getBytes(StandardCharsets.UTF_8)), UnixSocketAddress.of(sink));
            events.awaitReceived(l -> true, 2);
            assertThat(client.tryReceive(ByteBuffer.allocate(100))).as("a reply").isNull();
            sender = client.localAddress() + ": hello, sink";
        }
        synchronized (printed) { // printed from a thread of its own; the stop lets it finish
            assertThat(printed).containsExactly(sender);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aUnixDatagramListenerTakesTheBufferSizesAskedForAndSaysWhatTheKernelApplied(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "echo.dgram");
        var options = dev.sockit.net.SocketOptions.DEFAULTS.withReceiveBuffer(100_000).withSendBuffer(60_000);
        try (Server server = Loopback.builder().settings(settings).events(events)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, at, options).start()) {
            // Linux doubles what is asked for, for its bookkeeping.
            assertThat(server.listeners().getFirst().applied()).isEqualTo("rcvbuf=200000 sndbuf=120000");
        }
    }

    /** The UDP amplification limits are for forgeable IP sources; a Unix sender can neither forge nor reach a network. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void unixDatagramSendersAreNotThrottledByTheUdpReplyLimits(Kind kind) throws Exception {
        Endpoint.Unix at = endpoint(kind, "echo.dgram");
        var strict = dev.sockit.engine.ReplyLimits.defaults().withPerSource(0.001, 1);
        try (Server server = Loopback.builder().settings(settings).events(events).replyLimits(strict)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, at).start();
             UnixDatagramSocket client = client(kind)) {
            for (int i = 0; i < 50; i++) {
                byte[] request = ("request " + i).getBytes(StandardCharsets.UTF_8);
                assertThat(exchange(client, at, request)).isEqualTo(request);
            }
        }
    }

    @Test
    void aDatagramFromAnUnnamedSocketIsCountedNotAnswered() throws Exception {
        Endpoint.Unix at = endpoint(Kind.PATH, "echo.dgram");
        Server server = serve("echo", Transport.UDP, at);
        try (UnixDatagramSocket unnamed = UnixDatagramSocket.open()) {
            unnamed.send(ByteBuffer.wrap("who am I?".getBytes(StandardCharsets.UTF_8)), UnixSocketAddress.of(at));
            events.awaitReceived(l -> true, 1);
        } finally {
            server.close();
        }
        assertThat(events.totals()).singleElement().satisfies(t -> assertThat(t.dropped(DropReason.UNNAMED_SENDER)).isEqualTo(1));
    }

    @Test
    void socatIsAnsweredOverUnixStreamAndDatagram() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "socat is not installed (.ci/setup installs it)");
        Endpoint.Unix stream = endpoint(Kind.PATH, "echo.sock");
        Endpoint.Unix dgram = endpoint(Kind.PATH, "echo.dgram");
        try (Server server = Loopback.builder().events(events)
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, stream)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, dgram).start()) {
            assertThat(socat("hello over a stream\n", "UNIX-CONNECT:" + stream.path())).isEqualTo("hello over a stream\n");
            assertThat(socat("hello in a datagram\n", "UNIX-SENDTO:" + dgram.path() + ",bind=" + dir.resolve("socat.dgram")))
                    .isEqualTo("hello in a datagram\n");
        }
    }

    private static String socat(String input, String address) throws Exception {
        Process p = new ProcessBuilder("socat", "-t", "2", "-T", "5", "-", address).redirectErrorStream(true).start();
        try (var out = p.getOutputStream()) {
            out.write(input.getBytes(StandardCharsets.UTF_8));
        }
        byte[] got = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return text(got);
    }

    // ---- socket file hygiene ----

    @Test
    void aMissingDirectoryIsNamed() {
        Endpoint.Unix at = new Endpoint.Unix(dir.resolve("no/such/dir/echo.sock").toString(), false);
        for (Transport t : Transport.values()) {
            assertThatThrownBy(() -> serve("echo", t, at)).isInstanceOf(ListenException.class)
                    .hasMessage("cannot listen on " + t.label(at) + " " + at + " — directory " + dir.resolve("no/such/dir")
                            + " does not exist (create it first)");
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path file = dir.resolve("echo.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(java.net.UnixDomainSocketAddress.of(file)); // closing leaves the file behind, as a crash does
        }
        assertThat(file).exists();
        Endpoint.Unix at = new Endpoint.Unix(file.toString(), false);
        try (Server server = serve("echo", Transport.TCP, at)) {
            assertThat(text(talk(at, "alive", Integer.MAX_VALUE))).isEqualTo("alive");
        }
        try (UnixDatagramSocket dead = UnixDatagramSocket.bind(UnixSocketAddress.path(file))) {
            assertThat(dead.isOpen()).isTrue();
        }
        try (Server server = serve("echo", Transport.UDP, at); UnixDatagramSocket client = client(Kind.PATH)) {
            assertThat(exchange(client, at, "alive".getBytes(StandardCharsets.UTF_8))).asString(StandardCharsets.UTF_8).isEqualTo("alive");
        }
    }

    @Test
    void aSocketFileSomeoneAnswersOnIsInUseAndLeftAlone() throws Exception {
        Path file = dir.resolve("taken.sock");
        Endpoint.Unix at = new Endpoint.Unix(file.toString(), false);
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(java.net.UnixDomainSocketAddress.of(file));
            for (Transport t : Transport.values()) {
                assertThatThrownBy(() -> serve("echo", t, at)).isInstanceOf(ListenException.class)
                        .hasMessage("cannot listen on " + t.label(at) + " " + at + " — address already in use (a server answers on " + file
                                + "; stop it or choose another path)")
                        .extracting(e -> ((ListenException) e).reason()).isEqualTo(ListenException.Reason.IN_USE);
            }
            try (SocketChannel stillServed = SocketChannel.open(java.net.UnixDomainSocketAddress.of(file))) {
                assertThat(stillServed.isConnected()).isTrue();
            }
        }
        Files.delete(file);
        try (UnixDatagramSocket live = UnixDatagramSocket.bind(UnixSocketAddress.path(file))) {
            for (Transport t : Transport.values()) {
                assertThatThrownBy(() -> serve("echo", t, at)).isInstanceOf(ListenException.class).hasMessageContaining("already in use");
            }
            assertThat(file).exists();
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverReplaced() throws Exception {
        Path file = dir.resolve("precious.txt");
        Files.writeString(file, "keep me");
        Endpoint.Unix at = new Endpoint.Unix(file.toString(), false);
        assertThatThrownBy(() -> serve("echo", Transport.TCP, at)).isInstanceOf(ListenException.class)
                .hasMessageContaining(file + " exists and is not a socket; sockit will not replace it");
        assertThat(file).hasContent("keep me");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anAbstractNameInUseIsReported(Transport transport) throws Exception {
        Endpoint.Unix at = endpoint(Kind.ABSTRACT, "taken");
        try (Server first = serve("echo", transport, at)) {
            assertThatThrownBy(() -> serve("echo", transport, at)).isInstanceOf(ListenException.class)
                    .hasMessage("cannot listen on " + transport.label(at) + " " + at
                            + " — address already in use (another program serves it; stop that one or choose another name)");
        }
        try (Server again = serve("echo", transport, at)) {
            assertThat(again.listeners()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void theSocketModeIsSetAndTheFileRemovedOnStop(Transport transport) throws Exception {
        Endpoint.Unix at = endpoint(Kind.PATH, "mode.sock");
        Server server = Loopback.builder().events(events).socketMode(0660).serve(Service.named("echo").orElseThrow(), transport, at).start();
        try {
            assertThat(Files.getPosixFilePermissions(at.file())).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
        } finally {
            server.close();
        }
        assertThat(at.file()).doesNotExist();
    }

    @Test
    void whenOneListenerFailsTheOthersSocketFilesAreRemoved() {
        Endpoint.Unix good = endpoint(Kind.PATH, "good.sock");
        Endpoint.Unix bad = new Endpoint.Unix(dir.resolve("missing/bad.sock").toString(), false);
        assertThatThrownBy(() -> Loopback.builder().events(events)
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, good)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, endpoint(Kind.PATH, "good.dgram"))
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, bad).start())
                .isInstanceOf(ListenException.class);
        assertThat(dir.resolve("good.sock")).doesNotExist();
        assertThat(dir.resolve("good.dgram")).doesNotExist();
    }
}
