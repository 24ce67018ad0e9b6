package dev.sockit.cli;

import dev.sockit.client.ClientOptions;
import dev.sockit.client.DatagramLink;
import dev.sockit.client.Dialer;
import dev.sockit.client.Relay;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.Qotd;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The clients, connect and listen over Unix datagram sockets and Linux abstract names, run as the
 * packaged {@code sockit} against sockit's own server: the commands cannot tell them from TCP and UDP.
 */
@Timeout(120)
class UnixClientsIT {
    private static final Instant T = Instant.parse("2030-01-02T03:04:05Z");
    private static final String RUN = UUID.randomUUID().toString();
    private static final String AUTOBOUND = "unix:@[0-9a-f]{5}";

    @TempDir
    static Path dir;
    private static Server server;

    private static String name(String service) {
        return "unix:@sockit-it-" + service + "-" + RUN;
    }

    private static String file(String name) {
        return "unix:" + dir.resolve(name);
    }

    @BeforeAll
    static void serve() throws IOException {
        Settings settings = Settings.defaults().withClock(Clock.fixed(T, ZoneOffset.UTC))
                .withQuotes(Qotd.of(List.of("Simplicity is prerequisite for reliability. - Edsger W. Dijkstra")));
        server = Server.builder().settings(settings).events(new ServerEvents() {
                })
                .serve(Service.named("daytime").orElseThrow(), Transport.UDP, Endpoint.parse(name("daytime")))
                .serve(Service.named("time").orElseThrow(), Transport.UDP, Endpoint.parse(file("time.dgram")))
                .serve(Service.named("qotd").orElseThrow(), Transport.TCP, Endpoint.parse(name("qotd")))
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, Endpoint.parse(name("echo")))
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, Endpoint.parse(name("echo")))
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, Endpoint.parse(file("echo.dgram")))
                .serve(Service.named("chargen").orElseThrow(), Transport.UDP, Endpoint.parse(file("chargen.dgram")))
                .serve(Service.named("discard").orElseThrow(), Transport.UDP, Endpoint.parse(file("discard.dgram")))
                .serve(Service.named("discard").orElseThrow(), Transport.TCP, Endpoint.parse(file("discard.sock")))
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ClientProcess.Result sockit(String... args) throws Exception {
        return ClientProcess.run(new byte[0], args);
    }

    // ---- the service clients

    @Test
    void daytimeAndTimeOverUnixDatagramsOnAnAbstractNameAndAPath() throws Exception {
        ClientProcess.Result daytime = sockit("daytime", name("daytime"), "--udp");
        assertThat(daytime.err()).isEmpty();
        assertThat(daytime.exit()).isZero();
        assertThat(daytime.out()).isEqualTo("Wed Jan  2 03:04:05 2030\n");

        ClientProcess.Result time = sockit("time", file("time.dgram"), "--udp", "--json");
        assertThat(time.exit()).isZero();
        assertThat(time.out()).startsWith("{\"service\":\"time\",\"server\":\"" + file("time.dgram") + "\",\"address\":\"" + file("time.dgram")
                + "\",\"transport\":\"unixgram\",\"ok\":true,\"time\":\"2030-01-02T03:04:05Z\",\"seconds_since_1900\":" + (T.getEpochSecond() + 2_208_988_800L) + ",");
    }

    @Test
    void qotdAndEchoOverAnAbstractStream() throws Exception {
        ClientProcess.Result qotd = sockit("qotd", name("qotd"));
        assertThat(qotd.exit()).isZero();
        assertThat(qotd.out()).isEqualTo("Simplicity is prerequisite for reliability. - Edsger W. Dijkstra\n");

        ClientProcess.Result echo = sockit("echo", name("echo"), "--text", "over an abstract name", "--json");
        assertThat(echo.exit()).isZero();
        assertThat(echo.out()).startsWith("{\"service\":\"echo\",\"server\":\"" + name("echo") + "\",\"address\":\"" + name("echo")
                + "\",\"transport\":\"unix\",\"ok\":true,\"match\":true,\"bytes\":22,");
    }

    @Test
    void echoChargenAndDiscardOverUnixDatagrams() throws Exception {
        ClientProcess.Result echo = sockit("echo", name("echo"), "--udp", "--text", "hello", "--json");
        assertThat(echo.exit()).isZero();
        assertThat(echo.out()).startsWith("{\"service\":\"echo\",\"server\":\"" + name("echo") + "\",\"address\":\"" + name("echo")
                + "\",\"transport\":\"unixgram\",\"ok\":true,\"match\":true,\"bytes\":6,\"datagrams\":1,");

        ClientProcess.Result chargen = sockit("chargen", file("chargen.dgram"), "--udp", "--bytes", "148");
        assertThat(chargen.exit()).isZero();
        assertThat(chargen.out()).isEqualTo("148 bytes from " + file("chargen.dgram") + " follow the RFC 864 pattern (starting at line 0 of 95, in 2 datagrams)\n");

        ClientProcess.Result discard = sockit("discard", file("discard.dgram"), "--udp", "--bytes", "3000");
        assertThat(discard.exit()).isZero();
        assertThat(discard.out()).isEqualTo("sent 3000 bytes in 3 datagrams to unixgram " + file("discard.dgram")
                + " (each one queued at the server; nothing confirms it was read)\n");
    }

    @Test
    void whatIsNotThereOrOfTheOtherKindIsOneLineAndExitOne() throws Exception {
        ClientProcess.Result nobody = sockit("time", name("nobody"), "--udp");
        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.err()).isEqualTo("sockit: cannot connect to unixgram " + name("nobody")
                + " — refused (no datagram socket is bound to that abstract name)\n");

        ClientProcess.Result wrongKind = sockit("discard", file("discard.sock"), "--udp", "--text", "x");
        assertThat(wrongKind.exit()).isEqualTo(1);
        assertThat(wrongKind.err()).isEqualTo("sockit: cannot connect to unixgram " + file("discard.sock")
                + " — a stream socket is there, not a datagram socket (drop --udp)\n");
    }

    // ---- connect

    @Test
    void connectOverUnixDatagramsAndAnAbstractStream() throws Exception {
        ClientProcess.Result datagrams = ClientProcess.run("one\ntwo\n".getBytes(StandardCharsets.US_ASCII),
                "connect", file("echo.dgram"), "--udp", "--lines", "--timeout", "500ms");
        assertThat(datagrams.exit()).isZero();
        assertThat(datagrams.out()).isEqualTo("one\ntwo\n");

        byte[] big = new byte[1024 * 1024];
        new java.util.Random(5).nextBytes(big);
        ClientProcess.Run stream = ClientProcess.runBytes(big, "connect", name("echo"));
        assertThat(stream.exit()).isZero();
        assertThat(stream.out()).isEqualTo(big);
    }

    // ---- listen

    @Test
    void listenOnAnAbstractNameRunsAProgramPerConnection() throws Exception {
        String at = name("listen-exec");
        Process p = ClientProcess.start(List.of(), "listen", at, "--keep-open", "--exec", "tr a-z A-Z");
        try {
            assertThat(ClientProcess.listeningEndpoint(ClientProcess.lines(p.getErrorStream()))).isEqualTo(at);
            Dialer dialer = new Dialer(ClientOptions.defaults());
            for (String word : List.of("hello", "world")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new Relay(true, false).run(dialer.connect(Endpoint.parse(at)), new ByteArrayInputStream((word + "\n").getBytes()), out);
                assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(word.toUpperCase() + "\n");
            }
        } finally {
            ClientProcess.stop(p);
        }
    }

    @Test
    void listenForUnixDatagramsPrintsEachPrefixedByItsSenderAndRemovesItsFile() throws Exception {
        String at = file("listen.dgram");
        Process p = ClientProcess.start(List.of(), "listen", at, "--udp", "--keep-open");
        try {
            assertThat(ClientProcess.listeningEndpoint(ClientProcess.lines(p.getErrorStream()))).isEqualTo(at);
            BufferedReader out = ClientProcess.lines(p.getInputStream());
            try (DatagramLink link = new Dialer(ClientOptions.defaults()).datagram(Endpoint.parse(at))) {
                link.send(ByteBuffer.wrap("hello over unixgram\n".getBytes(StandardCharsets.US_ASCII)));
                assertThat(out.readLine()).matches(AUTOBOUND + ": hello over unixgram");
            }
        } finally {
            ClientProcess.stop(p);
        }
        assertThat(Files.exists(dir.resolve("listen.dgram"))).as("removed on SIGTERM").isFalse();
    }

    @Test
    void listenAndConnectOverUnixDatagramsAsTwoProcesses() throws Exception {
        String at = name("pair");
        Process listener = ClientProcess.start(List.of(), "listen", at, "--udp", "-v");
        try {
            BufferedReader err = ClientProcess.lines(listener.getErrorStream());
            assertThat(ClientProcess.listeningEndpoint(err)).isEqualTo(at);
            CompletableFuture<byte[]> heard = ClientProcess.drain(listener.getInputStream());
            try (OutputStream stdin = listener.getOutputStream()) {
                stdin.write("pong\n".getBytes(StandardCharsets.US_ASCII)); // sent once the first datagram names the peer
            }
            ClientProcess.Result client = ClientProcess.run("ping\n".getBytes(StandardCharsets.US_ASCII),
                    "connect", at, "--udp", "--timeout", "1s");
            assertThat(client.exit()).isZero();
            assertThat(client.out()).isEqualTo("pong\n");
            assertThat(err.readLine()).matches("sockit: first datagram from " + AUTOBOUND + "; it is the peer from now on");
            ClientProcess.stop(listener);
            assertThat(new String(heard.get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
        } finally {
            ClientProcess.stop(listener);
        }
    }
}
