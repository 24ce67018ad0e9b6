package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.service.Daytime;
import dev.sockit.service.Qotd;
import dev.sockit.service.Settings;
import dev.sockit.service.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static dev.sockit.client.Peers.V4;
import static dev.sockit.client.Peers.V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** daytime, qotd and time clients against sockit's server, a plain JDK server, UDP and a Unix socket. */
@Timeout(30)
class OneShotClientsTest {
    private static final Instant T = Instant.parse("2026-11-25T03:07:10Z");
    private static final Settings FIXED = Settings.defaults()
            .withClock(Clock.fixed(T, ZoneOffset.UTC))
            .withQuotes(Qotd.of(List.of("Simplicity is prerequisite for reliability.")));

    @Test
    void daytimeFromSockitsServer() throws Exception {
        try (Server s = Peers.sockit("daytime", "::1", FIXED)) {
            assertThat(DaytimeClient.fetch(Peers.dialer(), s.endpoint(), Transport.TCP)).isEqualTo("Wed Nov 25 03:07:10 2026");
        }
    }

    @Test
    void daytimeFromAPlainServerTakesTheLineWithoutItsEnding() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write("Tuesday, February 22, 1982 17:37:43-PST\r\n".getBytes()))) {
            assertThat(DaytimeClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP)).isEqualTo("Tuesday, February 22, 1982 17:37:43-PST");
        }
    }

    @Test
    void daytimeOverUdp() throws Exception {
        try (Peers.Udp u = new Peers.Udp(V4, Daytime.datagram(FIXED.clock(), Daytime.Format.RFC3339))) {
            assertThat(DaytimeClient.fetch(Peers.dialer(), u.endpoint(), Transport.UDP)).isEqualTo("2026-11-25T03:07:10Z");
            assertThat(u.requests.get()).isEqualTo(1);
        }
    }

    @Test
    void daytimeOverAUnixSocket(@TempDir Path dir) throws Exception {
        Endpoint unix = Endpoint.parse("unix:" + dir.resolve("daytime.sock"));
        try (Server s = Peers.sockit("daytime", unix, FIXED)) {
            assertThat(DaytimeClient.fetch(Peers.dialer(), unix, Transport.TCP)).isEqualTo("Wed Nov 25 03:07:10 2026");
        }
    }

    @Test
    void aServerThatTalksTooMuchIsNoDaytimeServer() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(new byte[DaytimeClient.LIMIT + 1]))) {
            assertThatThrownBy(() -> DaytimeClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("127.0.0.1:" + p.port() + " sent more than 4096 bytes; is it a daytime server?");
        }
    }

    @Test
    void aServerThatClosesWithoutAWordIsAFailureNotAnEmptyReply() throws Exception {
        // what a server that refuses the client (an access list, a full house) looks like from here
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> { })) {
            assertThatThrownBy(() -> DaytimeClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("127.0.0.1:" + p.port() + " closed without sending a daytime reply");
            assertThatThrownBy(() -> QotdClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("127.0.0.1:" + p.port() + " closed without sending a qotd reply");
        }
    }

    @Test
    void aWholeLineThenAResetIsTheReplyButHalfALineIsNot() throws Exception {
        // SO_LINGER 0 makes the close a reset, as a server that closes with input unread sends too.
        // Each server waits until the client has connected: a reset before that fails the connect.
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(3);
        try (Peers.Plain whole = new Peers.Plain(V4, (in, out, s) -> resetAfter(connected, s, "Mon Nov 30 18:00:00 2026\r\n"));
             Peers.Plain half = new Peers.Plain(V4, (in, out, s) -> resetAfter(connected, s, "Mon Nov 30"));
             Peers.Plain quote = new Peers.Plain(V4, (in, out, s) -> resetAfter(connected, s, "The first line of two,\r\n"));
             Connection toWhole = Peers.dialer().connect(whole.endpoint());
             Connection toHalf = Peers.dialer().connect(half.endpoint());
             Connection toQuote = Peers.dialer().connect(quote.endpoint())) {
            for (int i = 0; i < 3; i++) {
                connected.countDown();
            }
            assertThat(new String(OneShotClient.readToEnd(toWhole, DaytimeClient.LIMIT, "daytime", true), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("Mon Nov 30 18:00:00 2026\r\n");
            assertThatThrownBy(() -> OneShotClient.readToEnd(toHalf, DaytimeClient.LIMIT, "daytime", true))
                    .hasMessage("connection to 127.0.0.1:" + half.port() + " failed: reset by peer");
            // a quotation may have more lines than came: a reset cuts it short
            assertThatThrownBy(() -> OneShotClient.readToEnd(toQuote, 4096, "qotd", false))
                    .hasMessage("connection to 127.0.0.1:" + quote.port() + " failed: reset by peer");
        }
    }

    private static void resetAfter(java.util.concurrent.CountDownLatch connected, java.net.Socket s, String reply) throws java.io.IOException {
        try {
            connected.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        s.getOutputStream().write(reply.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.setSoLinger(true, 0);
    }

    @Test
    void aServerThatAnswersButDoesNotCloseIsSaidToHaveAnswered() throws Exception {
        // the line comes, the close never does (until the client gives up and closes)
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            out.write("Mon Nov 30 17:12:26 2026\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            in.read();
        })) {
            Dialer impatient = new Dialer(ClientOptions.defaults().withIdleTimeout(java.time.Duration.ofMillis(300)));
            assertThatThrownBy(() -> DaytimeClient.fetch(impatient, p.endpoint(), Transport.TCP))
                    .hasMessage("127.0.0.1:" + p.port() + " sent 26 bytes but did not close (a daytime server closes after its reply)");
        }
    }

    @Test
    void anEmptyDatagramIsNoReply() throws Exception {
        try (Peers.Udp u = new Peers.Udp(V4, (request, from) -> java.util.Optional.of(java.nio.ByteBuffer.allocate(0)))) {
            assertThatThrownBy(() -> QotdClient.fetch(Peers.dialer(), u.endpoint(), Transport.UDP))
                    .hasMessage("127.0.0.1:" + u.port() + " answered with an empty datagram, no qotd reply");
        }
    }

    @Test
    void binaryIsNoDaytime() throws Exception {
        // a time port (RFC 868) asked for the daytime: four bytes of binary
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(new byte[] {(byte) 0xEC, 0x0B, 0x11, 0x2A}))) {
            assertThatThrownBy(() -> DaytimeClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("the reply's byte 0 is 0xec, not text; is it a daytime server?");
        }
    }

    @Test
    void qotdFromSockitsServerAndOverUdp() throws Exception {
        try (Server s = Peers.sockit("qotd", "127.0.0.1", FIXED);
             Peers.Udp u = new Peers.Udp(V6, FIXED.quotes().datagram())) {
            assertThat(QotdClient.fetch(Peers.dialer(), s.endpoint(), Transport.TCP)).isEqualTo("Simplicity is prerequisite for reliability.");
            assertThat(QotdClient.fetch(Peers.dialer(), u.endpoint(), Transport.UDP)).isEqualTo("Simplicity is prerequisite for reliability.");
        }
    }

    @Test
    void aQuotationWithTerminalEscapesIsRefused() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write("caf\u00e9 \u001b]0;owned\u0007\r\n".getBytes(StandardCharsets.UTF_8)))) {
            assertThatThrownBy(() -> QotdClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("the reply has the control character U+001B at character 5; is it a qotd server?");
        }
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write("\u009b2J\r\n".getBytes(StandardCharsets.UTF_8)))) {
            assertThatThrownBy(() -> QotdClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("the reply has the control character U+009B at character 0; is it a qotd server?");
        }
    }

    @Test
    void qotdKeepsTheLinesOfAMultiLineQuotation() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write("line one\r\nline two\r\n".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(QotdClient.fetch(Peers.dialer(), p.endpoint(), Transport.TCP)).isEqualTo("line one\r\nline two");
        }
    }

    @Test
    void timeFromSockitsServerIsTheServersClock() throws Exception {
        TimeClient client = new TimeClient(Clock.fixed(T.plusSeconds(3), ZoneOffset.UTC));
        try (Server s = Peers.sockit("time", "::1", FIXED)) {
            TimeReading r = client.fetch(Peers.dialer(), s.endpoint(), Transport.TCP);

            assertThat(r.server()).isEqualTo(T);
            assertThat(r.value()).isEqualTo(T.getEpochSecond() + Time.EPOCH_OFFSET);
            assertThat(r.offset()).isEqualTo(Duration.ofMillis(-2500)); // from the middle of the second sent
        }
    }

    @Test
    void timeFromAPlainServerDecodesTheRfc868Example() throws Exception {
        // RFC 868: "the time 2,398,291,200 corresponds to 00:00 1 Jan 1976 GMT"; 2,398,291,200 is 0x8EF30500.
        byte[] bytes = {(byte) 0x8E, (byte) 0xF3, (byte) 0x05, (byte) 0x00};
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(bytes))) {
            TimeReading r = new TimeClient(Clock.fixed(Instant.parse("1976-01-01T00:00:00Z"), ZoneOffset.UTC))
                    .fetch(Peers.dialer(), p.endpoint(), Transport.TCP);
            assertThat(r.server()).isEqualTo(Instant.parse("1976-01-01T00:00:00Z"));
            assertThat(r.offset()).isEqualTo(Duration.ofMillis(500));
        }
    }

    @Test
    void timeAfterThe2036WrapIsReadInTheEraOfTheLocalClock() throws Exception {
        Instant after = Instant.parse("2040-06-01T12:00:00Z");
        Settings later = Settings.defaults().withClock(Clock.fixed(after, ZoneOffset.UTC));
        try (Server s = Peers.sockit("time", "127.0.0.1", later)) {
            TimeReading r = new TimeClient(Clock.fixed(after, ZoneOffset.UTC)).fetch(Peers.dialer(), s.endpoint(), Transport.TCP);
            assertThat(r.value()).isLessThan(1L << 31); // the count wrapped on 2036-02-07
            assertThat(r.server()).isEqualTo(after);
        }
    }

    @Test
    void timeOverUdp() throws Exception {
        try (Peers.Udp u = new Peers.Udp(V4, Time.datagram(FIXED.clock()))) {
            TimeReading r = new TimeClient(FIXED.clock()).fetch(Peers.dialer(), u.endpoint(), Transport.UDP);
            assertThat(r.server()).isEqualTo(T);
        }
    }

    @Test
    void aTimeServerThatClosesEarlySaysHowMuchCame() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(new byte[] {1, 2}))) {
            assertThatThrownBy(() -> new TimeClient().fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("127.0.0.1:" + p.port() + " closed after 2 of the 4 bytes of an RFC 868 time");
        }
    }

    @Test
    void moreThanFourBytesIsNoTime() throws Exception {
        // a chargen port asked for the time
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write("!\"#$%&'()*+,-./0123\r\n".getBytes(StandardCharsets.US_ASCII)))) {
            assertThatThrownBy(() -> new TimeClient().fetch(Peers.dialer(), p.endpoint(), Transport.TCP))
                    .hasMessage("127.0.0.1:" + p.port() + " sent more than the 4 bytes of an RFC 868 time; is it a time server?");
        }
    }

    @Test
    void aLostUdpRequestIsSentAgain() throws Exception {
        try (Peers.Udp u = new Peers.Udp(V4, Time.datagram(FIXED.clock()), 1)) {
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(Duration.ofSeconds(9)));
            TimeReading r = new TimeClient(FIXED.clock()).fetch(d, u.endpoint(), Transport.UDP);
            assertThat(r.server()).isEqualTo(T);
            assertThat(u.requests.get()).isEqualTo(2);
        }
    }

    @Test
    void noUdpReplyFromAnyAddressNamesEachOne() throws Exception {
        // A UDP socket that takes requests and never answers (discard sends nothing back) on [::1], and nobody
        // on 127.0.0.1 at that port: Linux reports the port unreachable, other stacks stay silent.
        try (Peers.Udp silent6 = new Peers.Udp(V6, dev.sockit.service.Discard.DATAGRAM)) {
            int port6 = silent6.port();
            Resolver both = host -> List.of(V4, V6);
            Dialer d = new Dialer(ClientOptions.defaults().withResolver(both).withIdleTimeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> new TimeClient().fetch(d, new Endpoint.Inet("both.test", port6), Transport.UDP))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageStartingWith("no reply from udp both.test:" + port6 + " — [::1]:" + port6 + " no reply after ")
                    .hasMessageContaining("; 127.0.0.1:" + port6 + " ");
            assertThat(silent6.requests.get()).isGreaterThanOrEqualTo(2); // it was asked more than once
        }
    }
}
