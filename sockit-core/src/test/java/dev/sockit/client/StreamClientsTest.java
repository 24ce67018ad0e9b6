package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.service.Chargen;
import dev.sockit.service.Discard;
import dev.sockit.service.Echo;
import dev.sockit.service.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

import static dev.sockit.client.Peers.V4;
import static dev.sockit.client.Peers.V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** echo, chargen and discard clients against sockit's server, plain JDK servers, UDP and Unix sockets. */
@Timeout(60)
class StreamClientsTest {

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    // ---- echo

    @Test
    void echoOfMegabytesComesBackWholeWithoutEitherSideStalling() throws Exception {
        // Far more than socket buffers hold: sending and checking must run at once.
        byte[] data = random(8 * 1024 * 1024 + 13);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (Server s = Peers.sockit("echo", "::1", Settings.defaults())) {
            EchoResult r = EchoClient.echo(Peers.dialer(), s.endpoint(), Transport.TCP, new ByteArrayInputStream(data), printed);

            assertThat(r.bytes()).isEqualTo(data.length);
            assertThat(r.peer()).isEqualTo(s.endpoint().toString());
            assertThat(printed.toByteArray()).isEqualTo(data);
        }
    }

    @Test
    void echoOfNothingIsAnEmptyEcho() throws Exception {
        try (Server s = Peers.sockit("echo", "127.0.0.1", Settings.defaults())) {
            EchoResult r = EchoClient.echo(Peers.dialer(), s.endpoint(), Transport.TCP, new ByteArrayInputStream(new byte[0]), null);
            assertThat(r.bytes()).isZero();
        }
    }

    @Test
    void echoNamesTheFirstByteThatDiffers() throws Exception {
        // A plain server that echoes, but upper-cases what it sends back.
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            byte[] all = in.readAllBytes();
            out.write(new String(all, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII));
        })) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            assertThatThrownBy(() -> EchoClient.echo(Peers.dialer(), p.endpoint(), Transport.TCP,
                    new ByteArrayInputStream("HELLO, world".getBytes()), printed))
                    .isInstanceOfSatisfying(MismatchException.class, e -> assertThat(e.offset()).isEqualTo(7))
                    .hasMessage("echo from 127.0.0.1:" + p.port() + " differs at offset 7: sent 0x77 'w', got 0x57 'W'");
            assertThat(printed.toString()).isEqualTo("HELLO, "); // what matched is shown
        }
    }

    @Test
    void anEchoThatEndsEarlySaysHowMuchCameBack() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            out.write(in.readNBytes(3));
            out.flush();
            s.setSoLinger(true, 0); // and go away, without reading the rest
        })) {
            assertThatThrownBy(() -> EchoClient.echo(Peers.dialer(), p.endpoint(), Transport.TCP,
                    new ByteArrayInputStream("abcdef".getBytes()), null))
                    // The reset reaches the receiving or the sending side first: either names the peer.
                    .hasMessageMatching("(connection to|sending to) 127\\.0\\.0\\.1:" + p.port() + " failed: .*");
        }
    }

    @Test
    void anEchoLongerThanWhatWasSentIsAMismatch() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            out.write(in.readAllBytes());
            out.write('!');
        })) {
            assertThatThrownBy(() -> EchoClient.echo(Peers.dialer(), p.endpoint(), Transport.TCP, new ByteArrayInputStream("abc".getBytes()), null))
                    .isInstanceOfSatisfying(MismatchException.class, e -> assertThat(e.offset()).isEqualTo(3))
                    .hasMessage("echo from 127.0.0.1:" + p.port() + " is longer than what was sent: 0x21 '!' came back at offset 3, after the last byte sent");
        }
    }

    @Test
    void aServerThatNeverEchoesTimesOut() throws Exception {
        try (Server s = Peers.sockit("discard", "127.0.0.1", Settings.defaults())) {
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(java.time.Duration.ofMillis(300)));
            // The discard server keeps the connection open while we send: silence, then our timeout.
            java.io.PipedOutputStream feed = new java.io.PipedOutputStream();
            java.io.PipedInputStream source = new java.io.PipedInputStream(feed);
            feed.write("hello".getBytes());
            feed.flush();
            assertThatThrownBy(() -> EchoClient.echo(d, s.endpoint(), Transport.TCP, source, null))
                    .isInstanceOf(java.net.SocketTimeoutException.class)
                    .hasMessage("no data from " + s.endpoint() + " for 300ms");
            feed.close();
        }
    }

    @Test
    void echoOverUdpChecksEachDatagram() throws Exception {
        byte[] data = random(5000); // five datagrams of at most 1024 bytes
        try (Peers.Udp u = new Peers.Udp(V6, Echo.DATAGRAM)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            EchoResult r = EchoClient.echo(Peers.dialer(), u.endpoint(), Transport.UDP, new ByteArrayInputStream(data), printed);
            assertThat(r.bytes()).isEqualTo(5000);
            assertThat(r.datagrams()).isEqualTo(5);
            assertThat(printed.toByteArray()).isEqualTo(data);
        }
    }

    @Test
    void echoOverUdpNamesTheFirstByteThatDiffers() throws Exception {
        byte[] data = new byte[1500];
        java.util.Arrays.fill(data, (byte) 'a');
        // Flips byte 100 of every datagram it echoes.
        try (Peers.Udp u = new Peers.Udp(V4, (request, peer) -> {
            byte[] b = new byte[request.remaining()];
            request.get(b);
            if (b.length > 100) {
                b[100] = 'b';
            }
            return Optional.of(ByteBuffer.wrap(b));
        })) {
            assertThatThrownBy(() -> EchoClient.echo(Peers.dialer(), u.endpoint(), Transport.UDP, new ByteArrayInputStream(data), null))
                    .isInstanceOfSatisfying(MismatchException.class, e -> assertThat(e.offset()).isEqualTo(100))
                    .hasMessage("echo from udp 127.0.0.1:" + u.port() + " differs at offset 100: sent 0x61 'a', got 0x62 'b'");
        }
    }

    @Test
    void echoOverAUnixSocket(@TempDir Path dir) throws Exception {
        Endpoint unix = Endpoint.parse("unix:" + dir.resolve("echo.sock"));
        try (Server s = Peers.sockit("echo", unix, Settings.defaults())) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            EchoResult r = EchoClient.echo(Peers.dialer(), unix, Transport.TCP, new ByteArrayInputStream("over unix\n".getBytes()), printed);
            assertThat(r.bytes()).isEqualTo(10);
            assertThat(printed.toString()).isEqualTo("over unix\n");
        }
    }

    // ---- chargen

    @Test
    void chargenFromSockitsServerFollowsThePattern() throws Exception {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (Server s = Peers.sockit("chargen", "::1", Settings.defaults())) {
            ChargenResult r = ChargenClient.read(Peers.dialer(), s.endpoint(), Transport.TCP, 3 * ChargenClient.CYCLE_BYTES + 5, copy);

            assertThat(r.bytes()).isEqualTo(3 * 7030 + 5);
            assertThat(r.firstLine()).isZero();
            assertThat(r.rfc864Ring()).isTrue();
            // Like BSD inetd, sockit starts the ring at the space character: 72 characters, then CR LF.
            String first = copy.toString(StandardCharsets.US_ASCII).substring(0, 74);
            assertThat(first).isEqualTo(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n");
        }
    }

    @Test
    void chargenAsRfc864ShowsItIsAccepted() throws Exception {
        // RFC 864's sample output begins one character further along, at '!'.
        String rfcSample = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n"
                + "\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghi\r\n";
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(rfcSample.getBytes(StandardCharsets.US_ASCII)))) {
            ChargenResult r = ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, rfcSample.length(), null);
            assertThat(r.firstLine()).isEqualTo(1);
            assertThat(r.bytes()).isEqualTo(148);
        }
    }

    @Test
    void chargenFromAServerStartingElsewhereInTheCycleIsAccepted() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            for (int line = 10; line < 40; line++) {
                out.write(Chargen.line(line).getBytes(StandardCharsets.US_ASCII));
            }
        })) {
            ChargenResult r = ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, 20 * 74, null);
            assertThat(r.firstLine()).isEqualTo(10);
        }
    }

    @Test
    void chargenNamesTheFirstByteOffThePattern() throws Exception {
        byte[] stream = new byte[1000];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = Chargen.byteAt(i);
        }
        stream[800] = 'X';
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(stream))) {
            assertThatThrownBy(() -> ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, 1000, null))
                    .isInstanceOfSatisfying(MismatchException.class, e -> assertThat(e.offset()).isEqualTo(800))
                    .hasMessage("chargen from 127.0.0.1:" + p.port() + " is off the chargen pattern at offset 800: expected "
                            + Text.showByte(Chargen.byteAt(800)) + ", got 0x58 'X'");
        }
    }

    /**
     * xinetd's chargen (builtins.c): 72-character lines from the 93 characters '!' to '}' (no space,
     * no '~'), its line start walking 95 positions over that ring, so that after the 95th line it jumps
     * back; over UDP, datagrams of 1,024 bytes whose last line is cut short, CR LF and all.
     */
    static byte[] xinetdChargen(int fromLine, int bytes, boolean cutLastLine) {
        StringBuilder out = new StringBuilder();
        for (int line = fromLine; out.length() < bytes; line++) {
            int start = (line % 95) % 93;
            int room = Math.min(72, bytes - out.length() - 2);
            for (int c = 0; c < (cutLastLine ? room : 72); c++) {
                out.append((char) ('!' + (start + c) % 93));
            }
            out.append("\r\n");
        }
        return out.toString().substring(0, cutLastLine ? bytes : out.length()).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void chargenOfAnotherRingIsAcceptedAndSaidToBeSo() throws Exception {
        byte[] stream = xinetdChargen(50, 200 * 74, false); // from mid-cycle, past the jump back
        assertThat(stream).hasSize(200 * 74);
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(stream))) {
            ChargenResult r = ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, stream.length, null);
            assertThat(r.bytes()).isEqualTo(200 * 74);
            assertThat(r.rfc864Ring()).isFalse();
        }
        // The same ring with one byte lost in its second cycle: caught where the next one should be.
        byte[] lost = new byte[stream.length - 1];
        System.arraycopy(stream, 0, lost, 0, 9000);
        System.arraycopy(stream, 9001, lost, 9000, lost.length - 9000);
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(lost))) {
            assertThatThrownBy(() -> ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, lost.length, null))
                    .isInstanceOfSatisfying(MismatchException.class, e -> assertThat(e.offset()).isEqualTo(9000))
                    .hasMessage("chargen from 127.0.0.1:" + p.port() + " is off the chargen pattern at offset 9000: expected "
                            + Text.showByte(stream[9000]) + ", got " + Text.showByte(stream[9001]));
        }
    }

    @Test
    void xinetdsDatagramsWithTheirLastLineCutShortAreAccepted() throws Exception {
        java.util.concurrent.atomic.AtomicInteger position = new java.util.concurrent.atomic.AtomicInteger();
        try (Peers.Udp u = new Peers.Udp(V4, (request, from) -> Optional.of(ByteBuffer.wrap(xinetdChargen(position.getAndIncrement(), 1024, true))))) {
            ChargenResult r = ChargenClient.read(Peers.dialer(), u.endpoint(), Transport.UDP, 3000, null);
            assertThat(r.datagrams()).isEqualTo(3);
            assertThat(r.rfc864Ring()).isFalse();
        }
    }

    /** Streams that do not rotate, or that break what their own pattern has shown, fail where they do. */
    @Test
    void whatIsNoChargenPatternFails() throws Exception {
        byte[] ringWithoutLineEnds = new byte[2000];
        for (int i = 0; i < ringWithoutLineEnds.length; i++) {
            ringWithoutLineEnds[i] = (byte) (' ' + i % 95);
        }
        assertOff("y".repeat(2000).getBytes(StandardCharsets.US_ASCII), 1, "0x79 'y' twice in a row");
        assertOff(ringWithoutLineEnds, 1024, "no line end in the first 1024 bytes");
        assertOff("AB\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII), 4, "a line starts where the one before did, at 0x41 'A'");
    }

    @Test
    void aByteChangedInEachDatagramIsCaughtByWhatTheFirstShowed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger line = new java.util.concurrent.atomic.AtomicInteger();
        try (Peers.Udp u = new Peers.Udp(V4, (request, from) -> {
            byte[] d = Chargen.line(line.getAndIncrement()).getBytes(StandardCharsets.US_ASCII);
            d[10] = 'X';
            return Optional.of(ByteBuffer.wrap(d));
        })) {
            assertThatThrownBy(() -> ChargenClient.read(Peers.dialer(), u.endpoint(), Transport.UDP, 1000, null))
                    .isInstanceOf(MismatchException.class).hasMessageContaining("is off the chargen pattern"); // in the first datagram already: its line shows X is followed by Y
        }
    }

    private static void assertOff(byte[] stream, long offset, String why) throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(stream))) {
            assertThatThrownBy(() -> ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, stream.length, null))
                    .isInstanceOfSatisfying(MismatchException.class, e -> assertThat(e.offset()).isEqualTo(offset))
                    .hasMessage("chargen from 127.0.0.1:" + p.port() + " is off the chargen pattern at offset " + offset + ": " + why);
        }
    }

    @Test
    void chargenThatEndsEarlySaysSo() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write(Chargen.line(0).getBytes(StandardCharsets.US_ASCII)))) {
            assertThatThrownBy(() -> ChargenClient.read(Peers.dialer(), p.endpoint(), Transport.TCP, 100, null))
                    .hasMessage("chargen from 127.0.0.1:" + p.port() + " ended after 74 of 100 bytes");
        }
    }

    /** A chargen server that answers once and goes away: the next request draws ICMP port unreachable. */
    @Test
    void aUdpServerThatGoesAwayAfterItsFirstAnswerIsSaidInWords() throws Exception {
        java.nio.channels.DatagramChannel server = java.nio.channels.DatagramChannel.open().bind(new java.net.InetSocketAddress(V4, 0));
        int port = ((java.net.InetSocketAddress) server.getLocalAddress()).getPort();
        Thread once = Thread.ofVirtual().start(() -> {
            try (server) {
                ByteBuffer request = ByteBuffer.allocate(512);
                java.net.SocketAddress client = server.receive(request);
                server.send(ByteBuffer.wrap(Chargen.line(0).getBytes(StandardCharsets.US_ASCII)), client);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> ChargenClient.read(Peers.dialer(), new Endpoint.Inet("127.0.0.1", port), Transport.UDP, 1000, null))
                .isInstanceOf(java.net.PortUnreachableException.class)
                .hasMessage("udp 127.0.0.1:" + port + " refused our datagrams (port unreachable: nothing listens there now)");
        once.join();
    }

    @Test
    void chargenOverUdpReadsDatagramsUntilEnough() throws Exception {
        try (Peers.Udp u = new Peers.Udp(V4, Chargen.datagram())) {
            ChargenResult r = ChargenClient.read(Peers.dialer(), u.endpoint(), Transport.UDP, 200, null);
            assertThat(r.datagrams()).isEqualTo(3); // 74 bytes each
            assertThat(r.bytes()).isEqualTo(222);
        }
    }

    // ---- discard

    @Test
    void discardSendsEverythingAndSeesTheServerCloseAfter() throws Exception {
        byte[] data = random(3 * 1024 * 1024);
        try (Server s = Peers.sockit("discard", "::1", Settings.defaults())) {
            DiscardResult r = DiscardClient.send(Peers.dialer(), s.endpoint(), Transport.TCP, new ByteArrayInputStream(data));
            assertThat(r.bytes()).isEqualTo(data.length);
            assertThat(r.confirmed()).isTrue();
        }
    }

    @Test
    void discardAgainstAPlainServerCountsWhatItRead() throws Exception {
        long[] read = {0};
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> read[0] = in.transferTo(java.io.OutputStream.nullOutputStream()))) {
            DiscardResult r = DiscardClient.send(Peers.dialer(), p.endpoint(), Transport.TCP, new ByteArrayInputStream(random(100_000)));
            assertThat(r.bytes()).isEqualTo(100_000);
        }
        assertThat(read[0]).isEqualTo(100_000);
    }

    /** A server that stops reading fills the kernel's buffers; the write then waits only the idle timeout (it waited for ever). */
    @Test
    void discardToAServerThatStopsReadingGivesUpAfterTheIdleTimeout() throws Exception {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            Dialer dialer = new Dialer(ClientOptions.defaults().withIdleTimeout(java.time.Duration.ofMillis(300)));
            java.io.InputStream endless = new java.io.InputStream() {
                @Override
                public int read() {
                    return 0;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                    return len;
                }
            };
            try {
                assertThatThrownBy(() -> DiscardClient.send(dialer, p.endpoint(), Transport.TCP, endless))
                        .isInstanceOf(java.net.SocketTimeoutException.class)
                        .hasMessage(p.endpoint() + " took none of our data for 300ms");
            } finally {
                done.countDown();
            }
        }
    }

    /** A server that closes over bytes it never read resets the connection: not "it read them all". */
    @Test
    void discardToAServerThatClosesWithoutReadingFails() throws Exception {
        try (java.nio.channels.ServerSocketChannel l = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress(V4, 0))) {
            Thread.ofVirtual().start(() -> {
                try (java.nio.channels.SocketChannel c = l.accept(); java.nio.channels.Selector sel = java.nio.channels.Selector.open()) {
                    c.configureBlocking(false).register(sel, java.nio.channels.SelectionKey.OP_READ);
                    sel.select(); // the client's bytes are here, unread: closing now makes the kernel reset
                } catch (IOException ignored) {
                    // the test reports
                }
            });
            int port = ((java.net.InetSocketAddress) l.getLocalAddress()).getPort();
            Endpoint at = Endpoint.parse("127.0.0.1:" + port);
            assertThatThrownBy(() -> DiscardClient.send(Peers.dialer(), at, Transport.TCP, new ByteArrayInputStream("hello".getBytes())))
                    .hasMessageStartingWith("127.0.0.1:" + port + " reset the connection: it did not read all 5 bytes (");
        }
    }

    @Test
    void discardToAnEchoServerIsCaught() throws Exception {
        try (Server s = Peers.sockit("echo", "127.0.0.1", Settings.defaults())) {
            assertThatThrownBy(() -> DiscardClient.send(Peers.dialer(), s.endpoint(), Transport.TCP, new ByteArrayInputStream(random(1_000_000))))
                    .hasMessage(s.endpoint() + " sent 1000000 bytes back; a discard server sends nothing (is it an echo server?)");
        }
    }

    @Test
    void discardOverUdpCountsDatagrams() throws Exception {
        java.util.concurrent.Semaphore received = new java.util.concurrent.Semaphore(0);
        try (Peers.Udp u = new Peers.Udp(V6, (request, peer) -> {
            received.release(request.remaining());
            return Discard.DATAGRAM.answer(request, peer);
        })) {
            DiscardResult r = DiscardClient.send(Peers.dialer(), u.endpoint(), Transport.UDP, new ByteArrayInputStream(random(2500)));
            assertThat(r.bytes()).isEqualTo(2500);
            assertThat(r.datagrams()).isEqualTo(3);
            assertThat(r.confirmed()).isFalse();
            // Delivery is not confirmed over UDP: the server's count shows it arrived.
            assertThat(received.tryAcquire(2500, 10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(received.availablePermits()).isZero();
        }
    }
}
