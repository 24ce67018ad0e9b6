package dev.sockit.server;

import dev.sockit.service.Daytime;
import dev.sockit.service.Qotd;
import dev.sockit.service.Settings;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/** Each service over real TCP sockets on loopback, IPv4 and IPv6, byte for byte against its RFC. */
@Timeout(60)
class ServicesOverTcpTest {
    private static final Instant NOW = Instant.parse("2026-11-25T03:07:10Z");
    private static final Settings SETTINGS = Settings.defaults().withClock(Clock.fixed(NOW, ZoneOffset.UTC));
    private final RecordingEvents events = new RecordingEvents();

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoSendsBackEveryByteAndClosesAfterHalfClose(String host) throws Exception {
        try (Server server = Loopback.serve(host, "echo", SETTINGS, events); Socket s = Loopback.connect(server)) {
            OutputStream out = s.getOutputStream();
            out.write("hello\r\n".getBytes(US_ASCII));
            assertThat(s.getInputStream().readNBytes(7)).isEqualTo("hello\r\n".getBytes(US_ASCII));
            out.write(new byte[] {0, (byte) 0xff, 10});
            s.shutdownOutput();
            assertThat(Loopback.readAll(s)).containsExactly(0, 0xff, 10);
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.bytesIn()).isEqualTo(10);
            assertThat(r.bytesOut()).isEqualTo(10);
            assertThat(r.outcome()).isEqualTo("closed");
            assertThat(r.peer()).isEqualTo(Loopback.address(server).getAddress().getHostAddress().equals("127.0.0.1")
                    ? "127.0.0.1:" + s.getLocalPort() : "[::1]:" + s.getLocalPort());
        }
    }

    /**
     * With the longest busy poll every message after the first is picked up by polling, not by a blocking
     * read (the threads engine with one connection; the epoll engine's loop), and the end of stream
     * too: every round trip is still whole, and half-close still ends the connection.
     */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoAnswersEveryMessageWhileBusyPolling(String host) throws Exception {
        try (Server server = Loopback.serve(host, "echo", SETTINGS, events, b -> b.busyPoll(Server.Builder.MAX_BUSY_POLL));
             Socket s = Loopback.connect(server)) {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 200; i++) {
                byte[] message = ("message " + i + "\r\n").getBytes(US_ASCII);
                out.write(message);
                assertThat(s.getInputStream().readNBytes(message.length)).isEqualTo(message);
            }
            s.shutdownOutput();
            assertThat(Loopback.readAll(s)).isEmpty();
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.outcome()).isEqualTo("closed");
            assertThat(r.bytesIn()).isEqualTo(r.bytesOut()).isEqualTo(2_490);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void discardReadsAndSendsNothing(String host) throws Exception {
        try (Server server = Loopback.serve(host, "discard", SETTINGS, events); Socket s = Loopback.connect(server)) {
            s.getOutputStream().write(new byte[100_000]);
            s.shutdownOutput();
            assertThat(Loopback.readAll(s)).isEmpty();
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.bytesIn()).isEqualTo(100_000);
            assertThat(r.bytesOut()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void daytimeSendsOneLineThenCloses(String host) throws Exception {
        for (Daytime.Format f : Daytime.Format.values()) {
            try (Server server = Loopback.serve(host, "daytime", SETTINGS.withDaytime(f), events); Socket s = Loopback.connect(server)) {
                String expected = switch (f) {
                    case CTIME -> "Wed Nov 25 03:07:10 2026\r\n";
                    case RFC3339 -> "2026-11-25T03:07:10Z\r\n";
                    case RFC5322 -> "Wed, 25 Nov 2026 03:07:10 GMT\r\n";
                };
                assertThat(new String(Loopback.readAll(s), US_ASCII)).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void daytimeAnswersEvenWhenTheClientSendsFirst(String host) throws Exception {
        // A client that sends a line (as `nc` does) must still get the reply, not a reset.
        try (Server server = Loopback.serve(host, "daytime", SETTINGS, events); Socket s = Loopback.connect(server)) {
            s.getOutputStream().write("hello?\n".repeat(1000).getBytes(US_ASCII));
            assertThat(new String(Loopback.readAll(s), US_ASCII)).isEqualTo("Wed Nov 25 03:07:10 2026\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aClientThatSendsOnlyAfterTheServerClosedStillReadsTheWholeReply(String host) throws Exception {
        // The engines close a silent client's connection at once, without waiting for its FIN. What it
        // sends afterwards meets a closed socket and draws a reset, which must not destroy the reply
        // and end of stream already queued for it.
        try (Server server = Loopback.serve(host, "daytime", SETTINGS, events); Socket s = Loopback.connect(server)) {
            assertThat(events.nextEnded(Duration.ofSeconds(10)).bytesIn()).isZero(); // the server is done with it
            OutputStream out = s.getOutputStream();
            Instant until = Instant.now().plusSeconds(10);
            try {
                while (Instant.now().isBefore(until)) {
                    out.write('x'); // the first draws the reset; a later one fails once it has come back
                }
            } catch (java.net.SocketException reset) {
                // the reset has arrived
            }
            assertThat(new String(s.getInputStream().readNBytes(26), US_ASCII)).isEqualTo("Wed Nov 25 03:07:10 2026\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void qotdSendsAQuotationUnder512ThenCloses(String host) throws Exception {
        Settings s1 = SETTINGS.withQuotes(Qotd.of(List.of("Only one quotation.")));
        try (Server server = Loopback.serve(host, "qotd", s1, events)) {
            for (int i = 0; i < 2; i++) {
                try (Socket s = Loopback.connect(server)) {
                    assertThat(new String(Loopback.readAll(s), US_ASCII)).isEqualTo("Only one quotation.\r\n");
                }
            }
        }
        try (Server server = Loopback.serve(host, "qotd", SETTINGS, events); Socket s = Loopback.connect(server)) {
            byte[] q = Loopback.readAll(s);
            assertThat(q.length).isBetween(3, 511);
            assertThat(new String(q, US_ASCII)).endsWith("\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void chargenSendsTheRingOfPrintableCharactersUntilTheClientCloses(String host) throws Exception {
        try (Server server = Loopback.serve(host, "chargen", SETTINGS, events); Socket s = Loopback.connect(server)) {
            int lines = 300; // past three turns of the 95-line cycle
            byte[] got = s.getInputStream().readNBytes(lines * 74);
            StringBuilder expected = new StringBuilder();
            for (int n = 0; n < lines; n++) {
                for (int c = 0; c < 72; c++) {
                    expected.append((char) (32 + (n + c) % 95));
                }
                expected.append("\r\n");
            }
            assertThat(new String(got, US_ASCII)).isEqualTo(expected.toString());
            s.close();
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.bytesOut()).isGreaterThanOrEqualTo(lines * 74L);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void timeSendsFourBigEndianBytesThenCloses(String host) throws Exception {
        try (Server server = Loopback.serve(host, "time", SETTINGS, events); Socket s = Loopback.connect(server)) {
            long v = NOW.getEpochSecond() + 2_208_988_800L; // seconds since 1900
            assertThat(Loopback.readAll(s)).containsExactly((int) (v >>> 24) & 0xff, (int) (v >>> 16) & 0xff, (int) (v >>> 8) & 0xff, (int) v & 0xff);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2036-02-07T06:28:15Z", "2036-02-07T06:28:16Z", "2036-02-07T06:28:17Z"})
    void timeIsRightJustBeforeAtAndAfterThe2036Wrap(String at) throws Exception {
        Settings s1 = SETTINGS.withClock(Clock.fixed(Instant.parse(at), ZoneOffset.UTC));
        long expected = switch (at) {
            case "2036-02-07T06:28:15Z" -> 0xFFFF_FFFFL;
            case "2036-02-07T06:28:16Z" -> 0;
            default -> 1;
        };
        try (Server server = Loopback.serve("127.0.0.1", "time", s1, events); Socket s = Loopback.connect(server)) {
            byte[] b = Loopback.readAll(s);
            assertThat(b).hasSize(4);
            long got = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
            assertThat(got).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void sinkPrintsEachClientsLinesPrefixedByItsAddress(String host) throws Exception {
        List<String> printed = new CopyOnWriteArrayList<>();
        Settings s1 = SETTINGS.withPrinter((peer, bytes, len) -> printed.add(peer + " " + new String(bytes, 0, len, US_ASCII)));
        List<String> expected = new ArrayList<>();
        try (Server server = Loopback.serve(host, "sink", s1, events)) {
            for (int i = 0; i < 3; i++) {
                try (Socket s = Loopback.connect(server)) {
                    s.getOutputStream().write(("line one\nline two from " + i).getBytes(US_ASCII));
                    s.shutdownOutput();
                    assertThat(Loopback.readAll(s)).isEmpty();
                    String peer = host.contains(":") ? "[::1]:" + s.getLocalPort() : "127.0.0.1:" + s.getLocalPort();
                    expected.add(peer + " line one");
                    expected.add(peer + " line two from " + i);
                }
                events.nextEnded(Duration.ofSeconds(10));
            }
        }
        // lines reach the printer from a thread of its own; the stop lets it finish
        assertThat(printed).containsExactlyElementsOf(expected);
    }
}
