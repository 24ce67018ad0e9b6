package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.DatagramService;
import dev.sockit.service.Output;
import dev.sockit.service.Service;
import dev.sockit.service.StreamService;
import dev.sockit.service.StreamSession;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the {@link StreamSession}/{@link Output} contract promises a service, whichever engine drives
 * it, with sessions written for the test: a session waiting for the rest of a message, one that starts
 * writing on input, one that writes read-only buffers, and one that fails. The built-in services use
 * only part of the contract; these use the rest, so an engine cannot get it wrong unnoticed.
 */
@Timeout(60)
class SessionContractTest {
    private static final DatagramService NONE = (request, from) -> Optional.empty();
    private final RecordingEvents events = new RecordingEvents();

    private Server serve(String name, StreamService stream) throws Exception {
        return serve(name, stream, dev.sockit.net.SocketOptions.DEFAULTS);
    }

    private Server serve(String name, StreamService stream, dev.sockit.net.SocketOptions options) throws Exception {
        Service s = new Service(name, 0, "-", "a test session", settings -> stream, settings -> NONE);
        return Loopback.builder().events(events).serve(s, Transport.TCP, new Endpoint.Inet("127.0.0.1", 0), options).start();
    }

    /**
     * Consumes only whole lines and answers each in capitals: input is left unconsumed until its
     * newline comes. An answer longer than the output takes is finished through writable events,
     * and no more input is taken meanwhile.
     */
    private static final class Lines implements StreamSession {
        private ByteBuffer answer; // what is left of the current answer

        @Override
        public void received(ByteBuffer in, Output out) {
            if (answer != null) {
                return; // still answering: the engine offers this input again
            }
            for (int i = in.position(); i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    byte[] line = new byte[i + 1 - in.position()];
                    in.get(line);
                    answer = ByteBuffer.wrap(new String(line, US_ASCII).toUpperCase(Locale.ROOT).getBytes(US_ASCII));
                    writable(out);
                    return; // one line per call: the engine offers the rest again
                }
            }
        }

        @Override
        public void writable(Output out) {
            out.write(answer);
            boolean more = answer.hasRemaining();
            out.wantWritable(more);
            if (!more) {
                answer = null;
            }
        }

        @Override
        public void peerClosed(Output out) {
            if (answer == null) {
                out.close();
            }
        }
    }

    @Test
    void aMessageArrivingInPiecesIsOfferedUntilItIsWhole() throws Exception {
        try (Server server = serve("lines", peer -> new Lines()); Socket s = Loopback.connect(server)) {
            OutputStream out = s.getOutputStream();
            String line = "a line that comes in pieces".repeat(300) + "\n"; // 8.1 KB
            byte[] bytes = line.getBytes(US_ASCII);
            for (int i = 0; i < bytes.length; i += 1000) {
                out.write(bytes, i, Math.min(1000, bytes.length - i));
                out.flush();
            }
            out.write("second\nthird\n".getBytes(US_ASCII));
            s.shutdownOutput();
            assertThat(new String(Loopback.readAll(s), US_ASCII)).isEqualTo(line.toUpperCase(Locale.ROOT) + "SECOND\nTHIRD\n");
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.outcome()).isEqualTo("closed");
            assertThat(r.bytesIn()).isEqualTo(bytes.length + 13);
        }
    }

    @Test
    void aMessageLongerThanTheInputBufferEndsThatConnectionOnly() throws Exception {
        try (Server server = serve("lines", peer -> new Lines())) {
            try (Socket s = Loopback.connect(server)) {
                s.getOutputStream().write(new byte[256 * 1024]); // no newline in 256 KiB: more than the 64 KiB buffer
                InputStream in = s.getInputStream();
                try {
                    assertThat(in.read()).isEqualTo(-1);
                } catch (java.net.SocketException reset) {
                    // closed with our unread bytes in its buffer: a reset is as good an end
                }
            }
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.outcome()).startsWith("session consumed nothing from a full input buffer");
            assertThat(events.warnings).anyMatch(w -> w.contains("lines connection from") && w.contains("full input buffer"));
            try (Socket s = Loopback.connect(server)) {
                s.getOutputStream().write("still here\n".getBytes(US_ASCII));
                assertThat(s.getInputStream().readNBytes(11)).isEqualTo("STILL HERE\n".getBytes(US_ASCII));
            }
        }
    }

    /** On "N\n", sends N bytes of a counting pattern through writable events, then closes. */
    private static final class Countdown implements StreamSession {
        private long left = -1;
        private long sent;

        @Override
        public void received(ByteBuffer in, Output out) {
            int nl = -1;
            for (int i = in.position(); i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0 || left >= 0) {
                in.position(in.limit());
                return;
            }
            byte[] number = new byte[nl - in.position()];
            in.get(number);
            in.position(in.limit());
            left = Long.parseLong(new String(number, US_ASCII));
            out.wantWritable(true); // turned on outside writable(): the engine must start calling it
        }

        @Override
        public void writable(Output out) {
            byte[] chunk = new byte[Math.min(out.room(), 5000)];
            while (left > 0 && out.room() > 0) {
                int n = (int) Math.min(left, Math.min(out.room(), chunk.length));
                for (int i = 0; i < n; i++) {
                    chunk[i] = (byte) ((sent + i) % 251);
                }
                int taken = out.write(ByteBuffer.wrap(chunk, 0, n));
                assertThat(taken).as("write takes at least what room() promised").isEqualTo(n);
                sent += n;
                left -= n;
            }
            if (left == 0) {
                out.wantWritable(false);
                out.close();
            }
        }
    }

    @Test
    void aSessionMayStartWritingWhenInputArrives() throws Exception {
        int total = 3_000_000;
        try (Server server = serve("countdown", peer -> new Countdown()); Socket s = Loopback.connect(server)) {
            s.getOutputStream().write((total + "\n").getBytes(US_ASCII));
            byte[] got = Loopback.readAll(s);
            assertThat(got).hasSize(total);
            for (int i = 0; i < total; i++) {
                if (got[i] != (byte) (i % 251)) {
                    throw new AssertionError("byte " + i + " is " + got[i]);
                }
            }
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.bytesOut()).isEqualTo(total);
            assertThat(r.outcome()).isEqualTo("closed");
        }
    }

    @Test
    void readOnlyBuffersAreSentToo() throws Exception {
        byte[] big = new byte[100_000];
        Arrays.fill(big, (byte) 'r');
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        StreamService readOnly = peer -> new StreamSession() {
            @Override
            public void opened(Output out) {
                out.write(ByteBuffer.wrap("hello\r\n".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer());
                int promised = out.room();
                ByteBuffer b = ByteBuffer.wrap(big).asReadOnlyBuffer();
                taken.set(out.write(b)); // more than the output holds: what does not fit stays in b
                out.close();
                if (b.position() != taken.get() || taken.get() < promised) {
                    throw new IllegalStateException("took " + taken.get() + ", moved " + b.position() + ", promised " + promised);
                }
            }
        };
        try (Server server = serve("readonly", readOnly); Socket s = Loopback.connect(server)) {
            byte[] got = Loopback.readAll(s);
            assertThat(new String(got, 0, 7, US_ASCII)).isEqualTo("hello\r\n");
            assertThat(got.length).as("what write took is what was sent").isEqualTo(7 + taken.get());
            assertThat(events.nextEnded(Duration.ofSeconds(10)).outcome()).as("the session kept its word").isEqualTo("closed");
            for (int i = 7; i < got.length; i++) {
                assertThat(got[i]).isEqualTo((byte) 'r');
            }
        }
    }

    @Test
    void whatALastWriteTookIsSentInOrderBeforeTheEnd() throws Exception {
        // writeAndClose lets the epoll engine hold the bytes back for the FIN (MSG_MORE); when the
        // kernel takes only part, the rest waits in the output and must still go, in order, first.
        byte[] big = new byte[4 * 1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 251);
        }
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        StreamService last = peer -> new StreamSession() {
            @Override
            public void opened(Output out) {
                taken.set(out.writeAndClose(ByteBuffer.wrap(big)));
            }
        };
        // A fixed send buffer and a small window, so that the kernel cannot take it all at once:
        // autotuned, the send buffer grows to net.ipv4.tcp_wmem's maximum, 4 MiB on some machines.
        var smallBuffers = dev.sockit.net.SocketOptions.DEFAULTS.withSendBuffer(16 * 1024);
        try (Server server = serve("last", last, smallBuffers); Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(Loopback.address(server), 5000);
            s.setSoTimeout(20_000);
            byte[] got = Loopback.readAll(s);
            assertThat(taken.get()).as("taken").isPositive().isLessThan(big.length);
            assertThat(got).as("what writeAndClose took, then the end").isEqualTo(Arrays.copyOf(big, taken.get()));
            assertThat(events.nextEnded(Duration.ofSeconds(10)).outcome()).isEqualTo("closed");
        }
    }

    @Test
    void aReadOnlyBufferLargerThanTheOutputWrittenOnInputIsSentToo() throws Exception {
        // Written once the connection waits on epoll: the kernel may take all of what is offered, and
        // the connection must not then wait for room it was never short of.
        byte[] big = new byte[1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 253);
        }
        java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
        StreamService onInput = peer -> new StreamSession() {
            @Override
            public void received(ByteBuffer in, Output out) {
                in.position(in.limit());
                if (taken.get() == 0) {
                    taken.set(out.write(ByteBuffer.wrap(big).asReadOnlyBuffer()));
                    out.close();
                }
            }
        };
        try (Server server = serve("readonly-later", onInput); Socket s = Loopback.connect(server)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write('x');
            byte[] got = Loopback.readAll(s);
            assertThat(taken.get()).isPositive();
            assertThat(got).as("what write took, then the end").isEqualTo(Arrays.copyOf(big, taken.get()));
        }
    }

    @Test
    void aLastWriteAfterThePeerClosedStillGoesOutBeforeAReset() throws Exception {
        // With SO_LINGER 0 the close resets. Bytes the epoll engine held back for a FIN (MSG_MORE)
        // must be pushed out before it, as write() then close() would have sent them.
        StreamService bye = peer -> new StreamSession() {
            @Override
            public void received(ByteBuffer in, Output out) {
                in.position(in.limit());
            }

            @Override
            public void peerClosed(Output out) {
                out.writeAndClose(ByteBuffer.wrap("bye\r\n".getBytes(US_ASCII)));
            }
        };
        try (Server server = serve("bye", bye, dev.sockit.net.SocketOptions.DEFAULTS.withLinger(Duration.ZERO));
                Socket s = Loopback.connect(server)) {
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readNBytes(5), US_ASCII)).isEqualTo("bye\r\n");
        }
    }

    @Test
    void aFailingSessionEndsOnlyItsOwnConnection() throws Exception {
        StreamService touchy = peer -> new StreamSession() {
            @Override
            public void received(ByteBuffer in, Output out) {
                if (in.get(in.position()) == '!') {
                    throw new IllegalStateException("touchy session");
                }
                out.write(in);
            }
        };
        try (Server server = serve("touchy", touchy)) {
            try (Socket s = Loopback.connect(server)) {
                s.getOutputStream().write("!boom".getBytes(US_ASCII));
                try {
                    assertThat(s.getInputStream().read()).isEqualTo(-1);
                } catch (java.net.SocketException reset) {
                    // our unread "!boom" may make the close a reset
                }
            }
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.outcome()).isEqualTo("error: java.lang.IllegalStateException: touchy session");
            assertThat(events.warnings).anyMatch(w -> w.startsWith("touchy session for 127.0.0.1:") && w.endsWith("failed, connection closed: "
                    + "java.lang.IllegalStateException: touchy session"));
            try (Socket s = Loopback.connect(server)) {
                s.getOutputStream().write("fine".getBytes(US_ASCII));
                assertThat(s.getInputStream().readNBytes(4)).isEqualTo("fine".getBytes(US_ASCII));
            }
        }
    }
}
