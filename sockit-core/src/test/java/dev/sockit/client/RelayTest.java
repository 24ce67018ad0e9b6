package dev.sockit.client;

import dev.sockit.server.Server;
import dev.sockit.service.Echo;
import dev.sockit.service.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static dev.sockit.client.Peers.V4;
import static dev.sockit.client.Peers.V6;
import static org.assertj.core.api.Assertions.assertThat;

/** The connect/listen relay: both directions at once, half-close, and when it ends. */
@Timeout(30)
class RelayTest {
    private static final Relay NETCAT = new Relay(true, false);

    /** A server that reads until our end of stream, then answers with how much it got. */
    private static Peers.Plain counter() throws Exception {
        return new Peers.Plain(V4, (in, out, s) -> {
            long n = in.transferTo(OutputStream.nullOutputStream());
            out.write(("got " + n + " bytes\n").getBytes(StandardCharsets.US_ASCII));
        });
    }

    @Test
    void theEndOfInputHalfClosesAndTheAnswerStillComesBack() throws Exception {
        try (Peers.Plain p = counter()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Connection c = Peers.dialer().connect(p.endpoint());

            Relay.Result r = NETCAT.run(c, new ByteArrayInputStream("hello".getBytes()), out);

            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("got 5 bytes\n");
            assertThat(r).isEqualTo(new Relay.Result(5, 12));
            assertThat(c.channel().isOpen()).isFalse();
        }
    }

    @Test
    void withoutHalfCloseTheConnectionStaysOpenForTheReply() throws Exception {
        // A peer that takes our FIN as the end of everything: it answers only while the connection is whole.
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            byte[] request = in.readNBytes(5);
            out.write(("got " + new String(request) + "\n").getBytes());
            out.flush();
            s.close();
        })) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Relay.Result r = new Relay(false, false).run(Peers.dialer().connect(p.endpoint()), new ByteArrayInputStream("hello".getBytes()), out);

            assertThat(r.sent()).isEqualTo(5);
            assertThat(out.toString()).isEqualTo("got hello\n");
        }
    }

    @Test
    void withoutHalfCloseNoFinIsSentWhenTheInputEnds() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> {
            byte[] request = in.readNBytes(5);
            s.setSoTimeout(300); // what arrives next, if anything, arrives at once on loopback
            String next;
            try {
                next = in.read() < 0 ? "FIN" : "a byte";
            } catch (java.net.SocketTimeoutException quiet) {
                next = "nothing";
            }
            seen.complete(new String(request) + ", then " + next);
            s.close();
        })) {
            new Relay(false, false).run(Peers.dialer().connect(p.endpoint()), new ByteArrayInputStream("hello".getBytes()), new ByteArrayOutputStream());

            assertThat(seen.get()).isEqualTo("hello, then nothing");
        }
    }

    @Test
    void aPeerThatHalfClosesFirstStillGetsAllTheInput() throws Exception {
        byte[] big = new byte[2 * 1024 * 1024];
        new Random(1).nextBytes(big);
        CompletableFuture<Long> serverRead = new CompletableFuture<>();
        try (Peers.Plain p = new Peers.Plain(V6, (in, out, s) -> {
            s.shutdownOutput(); // nothing to say: like 'sockit listen' with no input
            serverRead.complete(in.transferTo(OutputStream.nullOutputStream()));
        })) {
            Relay.Result r = NETCAT.run(Peers.dialer().connect(p.endpoint()), new ByteArrayInputStream(big), new ByteArrayOutputStream());

            assertThat(r.sent()).isEqualTo(big.length);
            assertThat(serverRead.get()).isEqualTo(big.length);
        }
    }

    @Test
    void atATerminalTheRelayEndsWhenThePeerDoes() throws Exception {
        try (Peers.Plain p = new Peers.Plain(V4, (in, out, s) -> out.write("bye\n".getBytes()));
             PipedOutputStream keyboard = new PipedOutputStream();
             PipedInputStream typing = new PipedInputStream(keyboard)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            // The input never ends, as a terminal nobody types at.
            new Relay(true, true).run(Peers.dialer().connect(p.endpoint()), typing, out);
            assertThat(out.toString()).isEqualTo("bye\n");
        }
    }

    @Test
    void relaysMegabytesBothWaysThroughSockitsEchoServer() throws Exception {
        byte[] big = new byte[4 * 1024 * 1024 + 7];
        new Random(2).nextBytes(big);
        try (Server s = Peers.sockit("echo", "::1", Settings.defaults())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Relay.Result r = NETCAT.run(Peers.dialer().connect(s.endpoint()), new ByteArrayInputStream(big), out);
            assertThat(r.received()).isEqualTo(big.length);
            assertThat(out.toByteArray()).isEqualTo(big);
        }
    }

    @Test
    void anIdlePeerEndsTheRelayWithATimeout() throws Exception {
        try (Server s = Peers.sockit("discard", "127.0.0.1", Settings.defaults());
             PipedOutputStream keyboard = new PipedOutputStream();
             PipedInputStream typing = new PipedInputStream(keyboard)) {
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(Duration.ofMillis(200)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> NETCAT.run(d.connect(s.endpoint()), typing, new ByteArrayOutputStream()))
                    .isInstanceOf(java.net.SocketTimeoutException.class)
                    .hasMessage("no data from " + s.endpoint() + " for 200ms");
        }
    }

    @Test
    void udpSendsOneDatagramPerLineAndPrintsTheReplies() throws Exception {
        java.util.List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        try (Peers.Udp u = new Peers.Udp(V4, (request, peer) -> {
            seen.add(StandardCharsets.US_ASCII.decode(request.duplicate()).toString());
            return Echo.DATAGRAM.answer(request, peer);
        });
             DatagramLink link = Peers.dialer().datagram(u.endpoint())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DatagramRelay.Result r = new DatagramRelay(true, Duration.ofMillis(300))
                    .run(link, new ByteArrayInputStream("one\ntwo\nthree".getBytes()), out);

            assertThat(seen).containsExactly("one\n", "two\n", "three");
            assertThat(out.toString()).isEqualTo("one\ntwo\nthree");
            assertThat(r).isEqualTo(new DatagramRelay.Result(3, 13, 3, 13));
        }
    }
}
