package dev.sockit.client;

import dev.sockit.client.Peers.UnixKind;
import dev.sockit.io.DatagramPort;
import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.linux.UnixStreamSocket;
import dev.sockit.net.Endpoint;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.server.Server;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.Qotd;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.service.Time;
import dev.sockit.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every client over every kind of Unix socket, against sockit's own server: stream and datagram, on a
 * path and on a Linux abstract name. A command cannot tell these from TCP and UDP.
 */
@Timeout(60)
class UnixClientsTest {
    private static final Instant T = Instant.parse("2026-11-25T03:07:10Z");
    private static final Settings FIXED = Settings.defaults()
            .withClock(Clock.fixed(T, ZoneOffset.UTC))
            .withQuotes(Qotd.of(List.of("Simplicity is prerequisite for reliability.")));
    private static final String FIRST_CHARGEN_LINE = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n";
    /** A name the kernel picks for an autobound socket: five hex digits in the abstract namespace. */
    private static final String AUTOBOUND = "unix:@[0-9a-f]{5}";

    @TempDir
    Path dir;

    static Stream<Arguments> everyUnixSocket() {
        return Stream.of(Arguments.of(UnixKind.PATH, Transport.TCP), Arguments.of(UnixKind.ABSTRACT, Transport.TCP),
                Arguments.of(UnixKind.PATH, Transport.UDP), Arguments.of(UnixKind.ABSTRACT, Transport.UDP));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyUnixSocket")
    void daytimeQotdAndTime(UnixKind kind, Transport transport) throws Exception {
        Endpoint.Unix daytime = Peers.unix(kind, dir, "daytime.sock");
        Endpoint.Unix qotd = Peers.unix(kind, dir, "qotd.sock");
        Endpoint.Unix time = Peers.unix(kind, dir, "time.sock");
        try (Server s = Loopback.builder().settings(FIXED).events(new ServerEvents() {
                })
                .serve(Service.named("daytime").orElseThrow(), transport, daytime)
                .serve(Service.named("qotd").orElseThrow(), transport, qotd)
                .serve(Service.named("time").orElseThrow(), transport, time).start()) {
            List<String> reached = Collections.synchronizedList(new ArrayList<>());
            Dialer dialer = new Dialer(ClientOptions.defaults(), (peer, attempts) -> reached.add(peer));

            assertThat(DaytimeClient.fetch(dialer, daytime, transport)).isEqualTo("Wed Nov 25 03:07:10 2026");
            assertThat(QotdClient.fetch(dialer, qotd, transport)).isEqualTo("Simplicity is prerequisite for reliability.");
            TimeReading r = new TimeClient(Clock.fixed(T.plusSeconds(3), ZoneOffset.UTC)).fetch(dialer, time, transport);
            assertThat(r.server()).isEqualTo(T);
            assertThat(r.value()).isEqualTo(T.getEpochSecond() + Time.EPOCH_OFFSET);
            assertThat(reached).containsExactly(daytime.toString(), qotd.toString(), time.toString());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyUnixSocket")
    void echoComesBackByteForByte(UnixKind kind, Transport transport) throws Exception {
        // Over a stream, far more than the socket buffers hold: sending and checking must run at once,
        // and for an abstract name on platform threads, as its calls block in native code.
        byte[] data = random(transport == Transport.TCP ? 4 * 1024 * 1024 + 3 : 5000);
        Endpoint.Unix at = Peers.unix(kind, dir, "echo.sock");
        try (Server s = Peers.sockit("echo", transport, at, Settings.defaults())) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            EchoResult r = EchoClient.echo(Peers.dialer(), at, transport, new ByteArrayInputStream(data), printed);

            assertThat(r.peer()).isEqualTo(at.toString());
            assertThat(r.bytes()).isEqualTo(data.length);
            assertThat(r.datagrams()).isEqualTo(transport == Transport.UDP ? 5 : 0); // 1024 bytes a datagram
            assertThat(printed.toByteArray()).isEqualTo(data);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyUnixSocket")
    void chargenFollowsThePattern(UnixKind kind, Transport transport) throws Exception {
        Endpoint.Unix at = Peers.unix(kind, dir, "chargen.sock");
        try (Server s = Peers.sockit("chargen", transport, at, Settings.defaults())) {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            ChargenResult r = ChargenClient.read(Peers.dialer(), at, transport, 1000, copy);

            assertThat(r.peer()).isEqualTo(at.toString());
            assertThat(r.firstLine()).isZero();
            if (transport == Transport.UDP) {
                assertThat(r.datagrams()).isEqualTo(14); // one 74-byte line each, until 1000 bytes have come
                assertThat(r.bytes()).isEqualTo(14 * 74);
            } else {
                assertThat(r.bytes()).isEqualTo(1000);
            }
            assertThat(copy.toString(StandardCharsets.US_ASCII)).startsWith(FIRST_CHARGEN_LINE);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyUnixSocket")
    void discardSendsEverything(UnixKind kind, Transport transport) throws Exception {
        // No newline in the data: the sink prints it back as pieces whose lengths add up to what it got.
        byte[] data = random(transport == Transport.TCP ? 1_000_000 : 100_000);
        for (int i = 0; i < data.length; i++) {
            data[i] = data[i] == '\n' ? (byte) 'x' : data[i];
        }
        Semaphore received = new Semaphore(0);
        Settings counting = Settings.defaults().withPrinter((peer, bytes, length) -> received.release(length));
        Endpoint.Unix discard = Peers.unix(kind, dir, "discard.sock");
        Endpoint.Unix sink = Peers.unix(kind, dir, "sink.sock");
        try (Server s = Loopback.builder().settings(counting).events(new ServerEvents() {
                })
                .serve(Service.named("discard").orElseThrow(), transport, discard)
                .serve(Service.named("sink").orElseThrow(), transport, sink).start()) {
            DiscardResult toDiscard = DiscardClient.send(Peers.dialer(), discard, transport, new ByteArrayInputStream(random(5000)));
            assertThat(toDiscard.bytes()).isEqualTo(5000);
            assertThat(toDiscard.confirmed()).isEqualTo(transport == Transport.TCP); // the server's close confirms a stream

            DiscardResult toSink = DiscardClient.send(Peers.dialer(), sink, transport, new ByteArrayInputStream(data));
            assertThat(toSink.bytes()).isEqualTo(data.length);
            assertThat(toSink.datagrams()).isEqualTo(transport == Transport.UDP ? 98 : 0); // ceil(100000 / 1024)
            assertThat(received.tryAcquire(data.length, 10, TimeUnit.SECONDS)).as("the server got every byte").isTrue();
            assertThat(received.availablePermits()).isZero();
        }
    }

    @Test
    void aUnixDatagramClientIsAnsweredAtANameOfItsOwnAndResendsUntilAnswered() throws Exception {
        // A server that ignores the first request, as if it were lost, and answers the next.
        UnixSocketAddress at = UnixSocketAddress.path(dir.resolve("slow-time.sock"));
        List<String> senders = Collections.synchronizedList(new ArrayList<>());
        try (UnixDatagramSocket server = UnixDatagramSocket.bind(at)) {
            Thread.ofPlatform().daemon().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(100);
                try {
                    while (true) {
                        DatagramPort.Received r = server.receive(buf.clear());
                        senders.add(r.sender().toString());
                        if (senders.size() > 1) {
                            server.send(Time.datagram(FIXED.clock()).answer(buf.flip(), "").orElseThrow(), r.sender());
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(Duration.ofMillis(1500))); // resent every 500ms
            TimeReading r = new TimeClient(FIXED.clock()).fetch(d, at.toEndpoint(), Transport.UDP);

            assertThat(r.server()).isEqualTo(T);
            assertThat(senders).hasSize(2).allMatch(s -> s.matches(AUTOBOUND)).containsOnly(senders.getFirst());
        }
    }

    @ParameterizedTest
    @EnumSource(UnixKind.class)
    void noReplyFromAUnixDatagramServerSaysSoAfterTheTimeout(UnixKind kind) throws Exception {
        Endpoint.Unix at = Peers.unix(kind, dir, "discard.sock"); // it takes requests and never answers
        try (Server s = Peers.sockit("discard", Transport.UDP, at, Settings.defaults())) {
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> DaytimeClient.fetch(d, at, Transport.UDP))
                    .hasMessageMatching("no reply from unixgram " + java.util.regex.Pattern.quote(at.toString())
                            + " — no reply after \\d+ tries in 300ms");
        }
    }

    @Test
    void whatIsNotThereIsNamed() {
        Endpoint.Unix noName = Peers.unix(UnixKind.ABSTRACT, dir, "nobody");
        Endpoint.Unix noFile = Peers.unix(UnixKind.PATH, dir, "nobody.sock");
        assertThatThrownBy(() -> Peers.dialer().connect(noName))
                .hasMessage("cannot connect to unix " + noName + " — refused (no stream socket listens on that abstract name)");
        assertThatThrownBy(() -> Peers.dialer().datagram(noName))
                .hasMessage("cannot connect to unixgram " + noName + " — refused (no datagram socket is bound to that abstract name)");
        assertThatThrownBy(() -> DaytimeClient.fetch(Peers.dialer(), noFile, Transport.UDP))
                .hasMessage("cannot connect to unixgram " + noFile + " — no such socket file");
    }

    @Test
    void aFileThatIsNoSocketIsNamed() throws Exception {
        java.nio.file.Path plain = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "not a socket");
        Endpoint.Unix at = new Endpoint.Unix(plain.toString(), false);
        assertThatThrownBy(() -> Peers.dialer().connect(at))
                .hasMessage("cannot connect to unix " + at + " — refused (" + plain + " is not a socket)");
    }

    @Test
    void aSocketFileOfTheOtherKindIsNamedWithWhatToDo() throws Exception {
        Endpoint.Unix stream = Peers.unix(UnixKind.PATH, dir, "stream.sock");
        Endpoint.Unix datagram = Peers.unix(UnixKind.PATH, dir, "datagram.sock");
        try (Server s = Loopback.builder().events(new ServerEvents() {
                })
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, stream)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, datagram).start()) {
            assertThatThrownBy(() -> Peers.dialer().datagram(stream))
                    .hasMessage("cannot connect to unixgram " + stream + " — a stream socket is there, not a datagram socket (drop --udp)");
            assertThatThrownBy(() -> Peers.dialer().connect(datagram))
                    .hasMessage("cannot connect to unix " + datagram + " — a datagram socket is there, not a stream socket (use --udp)");
        }
    }

    @Test
    void anAbstractNameOfTheOtherKindIsNotFoundAtAll() throws Exception {
        // Linux keeps abstract names apart by socket type: a stream and a datagram socket may both hold one.
        Endpoint.Unix name = Peers.unix(UnixKind.ABSTRACT, dir, "both");
        try (Server s = Peers.sockit("echo", Transport.TCP, name, Settings.defaults())) {
            assertThatThrownBy(() -> Peers.dialer().datagram(name))
                    .hasMessage("cannot connect to unixgram " + name + " — refused (no datagram socket is bound to that abstract name)");
            try (Server sameNameForDatagrams = Peers.sockit("daytime", Transport.UDP, name, FIXED)) {
                assertThat(DaytimeClient.fetch(Peers.dialer(), name, Transport.UDP)).isEqualTo("Wed Nov 25 03:07:10 2026");
                assertThat(EchoClient.echo(Peers.dialer(), name, Transport.TCP, new ByteArrayInputStream(new byte[] {1, 2}), null).bytes())
                        .isEqualTo(2);
            }
        }
    }

    @Test
    void aSilentServerOnAnAbstractNameTimesOut() throws Exception {
        // The idle timeout closes the socket under a read blocked in native code; the read must wake.
        Endpoint.Unix at = Peers.unix(UnixKind.ABSTRACT, dir, "discard");
        try (Server s = Peers.sockit("discard", Transport.TCP, at, Settings.defaults());
             PipedOutputStream feed = new PipedOutputStream();
             PipedInputStream source = new PipedInputStream(feed)) {
            feed.write("hello".getBytes(StandardCharsets.US_ASCII));
            feed.flush();
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> EchoClient.echo(d, at, Transport.TCP, source, null))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("no data from " + at + " for 300ms");
        }
    }

    @Test
    void theBufferSizesAskedForAreSetOnAnAbstractNameConnection() throws Exception {
        Endpoint.Unix at = Peers.unix(UnixKind.ABSTRACT, dir, "echo");
        try (Server s = Peers.sockit("echo", Transport.TCP, at, Settings.defaults())) {
            Dialer d = new Dialer(ClientOptions.defaults().withSocketOptions(SocketOptions.DEFAULTS.withReceiveBuffer(48 * 1024)));
            try (Connection c = d.connect(at)) {
                assertThat(c.blocksInNativeCode()).isTrue();
                assertThat(((UnixStreamSocket) c.stream()).receiveBufferSize()).isEqualTo(2 * 48 * 1024); // Linux doubles it
                assertThatThrownBy(c::channel).isInstanceOf(IllegalStateException.class)
                        .hasMessage(at + " is a Unix socket made through libc; it has no JDK channel");
            }
        }
    }
}
