package dev.sockit.cli;

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

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each service client, run as the packaged {@code sockit}, against sockit's own server on loopback. */
@Timeout(120)
class ServiceClientsIT {
    private static final Instant T = Instant.parse("2030-01-02T03:04:05Z");
    private static Server server;

    @BeforeAll
    static void serve() throws IOException {
        Settings settings = Settings.defaults().withClock(Clock.fixed(T, ZoneOffset.UTC))
                .withQuotes(Qotd.of(List.of("Simplicity is prerequisite for reliability. - Edsger W. Dijkstra")));
        Server.Builder b = Server.builder().settings(settings).events(new ServerEvents() {
        });
        for (String name : List.of("echo", "discard", "daytime", "qotd", "chargen", "time")) {
            b.serve(Service.named(name).orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0"));
        }
        server = b.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String at(String service) {
        return server.listeners().stream().filter(l -> l.service().name().equals(service)).findFirst().orElseThrow().bound().toString();
    }

    private static ClientProcess.Result sockit(String... args) throws Exception {
        return ClientProcess.run(new byte[0], args);
    }

    /** A reply that cannot be written (a full disk) is said, exit 1; a reader gone (| head) is 141, as for a C tool. */
    @Test
    void aClientWhoseOutputFailsSaysSo() throws Exception {
        Process full = new ProcessBuilder(ClientProcess.command(List.of(), List.of("daytime", at("daytime"))))
                .redirectOutput(new java.io.File("/dev/full")).start();
        full.getOutputStream().close();
        assertThat(full.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(new String(full.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("sockit: cannot write the output: No space left on device\n");
        assertThat(full.exitValue()).isEqualTo(1);

        Process gone = ClientProcess.start(List.of(), "qotd", at("qotd"));
        gone.getInputStream().close(); // the reader goes away before the reply comes
        gone.getOutputStream().close();
        assertThat(gone.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(new String(gone.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isEmpty();
        assertThat(gone.exitValue()).isEqualTo(141);
    }

    @Test
    void daytimePrintsTheServersLine() throws Exception {
        ClientProcess.Result r = sockit("daytime", at("daytime"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("Wed Jan  2 03:04:05 2030\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void timePrintsIso8601AndAgreesWithRdate() throws Exception {
        ClientProcess.Result r = sockit("time", at("time"), "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("{\"service\":\"time\",\"server\":\"" + at("time") + "\",\"address\":\"" + at("time")
                + "\",\"transport\":\"tcp\",\"ok\":true,\"time\":\"2030-01-02T03:04:05Z\",\"seconds_since_1900\":" + (T.getEpochSecond() + 2_208_988_800L) + ",");

        ClientProcess.Result text = sockit("time", at("time"));
        assertThat(text.out()).startsWith("2030-01-02T03:04:05Z  offset ");

        Path rdate = Path.of("/usr/sbin/rdate");
        if (Files.isExecutable(rdate)) {
            int port = ((Endpoint.Inet) Endpoint.parse(at("time"))).port();
            ProcessBuilder pb = new ProcessBuilder(rdate.toString(), "-p", "-o", String.valueOf(port), "127.0.0.1").redirectErrorStream(true);
            pb.environment().put("TZ", "UTC");
            Process p = pb.start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).isZero();
            assertThat(said).contains("Wed Jan  2 03:04:05 UTC 2030"); // rdate's reading of the same server
        }
    }

    @Test
    void qotdPrintsTheQuotation() throws Exception {
        ClientProcess.Result r = sockit("qotd", at("qotd"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("Simplicity is prerequisite for reliability. - Edsger W. Dijkstra\n");
    }

    @Test
    void echoPrintsTheVerifiedEchoOfStdin() throws Exception {
        ClientProcess.Result r = ClientProcess.run("hello, echo\n".getBytes(), "echo", at("echo"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("hello, echo\n");

        ClientProcess.Result json = sockit("echo", at("echo"), "--text", "hi", "--json");
        assertThat(json.out()).startsWith("{\"service\":\"echo\",\"server\":\"" + at("echo") + "\",\"address\":\"" + at("echo")
                + "\",\"transport\":\"tcp\",\"ok\":true,\"match\":true,\"bytes\":3,\"elapsed_ms\":");
    }

    @Test
    void echoFromAServerThatChangesBytesFailsNamingTheOffset() throws Exception {
        try (ServerSocket liar = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = liar.accept()) {
                    byte[] all = s.getInputStream().readAllBytes();
                    all[2] = 'X';
                    s.getOutputStream().write(all);
                } catch (IOException ignored) {
                    // the test reports
                }
            });
            ClientProcess.Result r = sockit("echo", "127.0.0.1:" + liar.getLocalPort(), "--text", "abcdef");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("sockit: echo from 127.0.0.1:" + liar.getLocalPort()
                    + " differs at offset 2: sent 0x63 'c', got 0x58 'X'\n");
            assertThat(r.out()).isEqualTo("ab");
        }
    }

    @Test
    void aServerThatClosesWithoutAReplyIsAFailureInTextAndJson() throws Exception {
        // what a server whose access list refuses us does: accept, then close without a word
        try (ServerSocket refusing = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = refusing.accept()) {
                        s.getInputStream(); // closed at once
                    } catch (IOException ignored) {
                        // the test reports
                    }
                }
            });
            String at = "127.0.0.1:" + refusing.getLocalPort();
            ClientProcess.Result text = sockit("daytime", at);
            assertThat(text.exit()).isEqualTo(1);
            assertThat(text.out()).isEmpty();
            assertThat(text.err()).isEqualTo("sockit: " + at + " closed without sending a daytime reply\n");

            ClientProcess.Result json = sockit("daytime", at, "--json");
            assertThat(json.exit()).isEqualTo(1);
            assertThat(json.out()).startsWith("{\"service\":\"daytime\",\"server\":\"" + at + "\",\"address\":\"" + at
                    + "\",\"transport\":\"tcp\",\"ok\":false,\"error\":\"" + at + " closed without sending a daytime reply\",\"elapsed_ms\":")
                    .endsWith("}\n");
            assertThat(json.err()).isEqualTo("sockit: " + at + " closed without sending a daytime reply\n");
        }
    }

    /** Every failure object has its error in words; an address that never answered is null, not "". */
    @Test
    void failuresInJsonSayWhyAndWhoAnswered() throws Exception {
        try (ServerSocket shouting = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = shouting.accept()) {
                    byte[] b = s.getInputStream().readAllBytes();
                    s.getOutputStream().write(new String(b, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test reports
                }
            });
            String at = "127.0.0.1:" + shouting.getLocalPort();
            ClientProcess.Result r = sockit("echo", at, "--text", "hello", "--json");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).startsWith("{\"service\":\"echo\",\"server\":\"" + at + "\",\"address\":\"" + at
                    + "\",\"transport\":\"tcp\",\"ok\":false,\"match\":false,\"first_difference\":0,\"error\":\"");
        }
        int closed;
        try (ServerSocket gone = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            closed = gone.getLocalPort();
        }
        ClientProcess.Result refused = sockit("daytime", "127.0.0.1:" + closed, "--json");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).startsWith("{\"service\":\"daytime\",\"server\":\"127.0.0.1:" + closed
                + "\",\"address\":null,\"transport\":\"tcp\",\"ok\":false,\"error\":\"cannot connect to tcp 127.0.0.1:" + closed);
    }

    @Test
    void chargenChecksThePattern() throws Exception {
        ClientProcess.Result r = sockit("chargen", at("chargen"), "--bytes", "100000", "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("{\"service\":\"chargen\",\"server\":\"" + at("chargen") + "\",\"address\":\"" + at("chargen")
                + "\",\"transport\":\"tcp\",\"ok\":true,\"bytes\":100000,\"pattern_ok\":true,\"rfc864_ring\":true,\"first_line\":0,\"elapsed_ms\":");
    }

    /** xinetd's chargen rotates the 93 characters '!' to '}': a chargen all the same, not RFC 864's ring. */
    @Test
    void chargenOfAnotherRingPassesAndIsSaidToBeOfItsOwn() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int line = 0; line < 200; line++) {
            for (int c = 0; c < 72; c++) {
                lines.append((char) ('!' + ((line % 95) % 93 + c) % 93)); // its start walks 95 places over 93, then jumps back
            }
            lines.append("\r\n");
        }
        byte[] stream = lines.toString().getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket xinetd = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = xinetd.accept()) {
                    s.getOutputStream().write(stream);
                } catch (IOException ignored) {
                    // the test reports
                }
            });
            String at = "127.0.0.1:" + xinetd.getLocalPort();
            ClientProcess.Result r = sockit("chargen", at, "--bytes", "14000");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("14000 bytes from " + at + " follow a chargen pattern of its own (rotating lines, not RFC 864's ring of 95)\n");
        }
    }

    @Test
    void discardReportsWhatWasSent() throws Exception {
        ClientProcess.Result r = ClientProcess.run(new byte[250_000], "discard", at("discard"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("sent 250000 bytes to " + at("discard") + "; it read them all and closed\n");

        ClientProcess.Result json = sockit("discard", at("discard"), "--bytes", "12345", "--json");
        assertThat(json.out()).startsWith("{\"service\":\"discard\",\"server\":\"" + at("discard") + "\",\"address\":\"" + at("discard")
                + "\",\"transport\":\"tcp\",\"ok\":true,\"bytes\":12345,\"confirmed\":true,\"elapsed_ms\":");
    }

    @Test
    void aClientWithoutAPortUsesTheStandardOneAndSaysWhyItFailed() throws Exception {
        ClientProcess.Result r = sockit("daytime", "::1", "--timeout", "2s");
        org.junit.jupiter.api.Assumptions.assumeTrue(r.exit() != 0, "something serves daytime on [::1]:13 here");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("sockit: cannot connect to tcp [::1]:13 — [::1]:13 ");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine() throws Exception {
        ClientProcess.Result badPort = sockit("echo", "localhost:99999");
        assertThat(badPort.exit()).isEqualTo(2);
        assertThat(badPort.err()).startsWith("sockit: bad endpoint 'localhost:99999': port 99999 is out of range 0..65535\n");

        ClientProcess.Result bothFamilies = sockit("qotd", "localhost", "-4", "-6");
        assertThat(bothFamilies.exit()).isEqualTo(2);

        ClientProcess.Result badBytes = sockit("chargen", at("chargen"), "--bytes", "0");
        assertThat(badBytes.exit()).isEqualTo(2);
        assertThat(badBytes.err()).doesNotContain("Exception");
    }

    @Test
    void helpTeachesWithExamples() throws Exception {
        for (String cmd : List.of("daytime", "time", "qotd", "echo", "chargen", "discard", "connect", "listen")) {
            ClientProcess.Result r = sockit(cmd, "--help");
            assertThat(r.exit()).as(cmd).isZero();
            assertThat(r.out()).as(cmd).contains("Examples:").contains("sockit " + cmd);
        }
    }

    @Test
    void overTheNetworkTimeoutsAreBounded() throws Exception {
        // A server that accepts and never says anything: the client's --timeout ends the wait.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.ofLiteral("127.0.0.1"))) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().read();
                } catch (IOException ignored) {
                    // closed by the test
                }
            });
            ClientProcess.Result r = sockit("daytime", "127.0.0.1:" + silent.getLocalPort(), "--timeout", "500ms");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("sockit: no data from 127.0.0.1:" + silent.getLocalPort() + " for 500ms\n");
        }
    }
}
