package dev.sockit.server;

import dev.sockit.service.Settings;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/** Echo with real volumes: half-close at every size, many clients at once, and peers that never read. */
@Timeout(120)
class EchoUnderLoadTest {
    private final RecordingEvents events = new RecordingEvents();

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} from a second thread, half-closes, and reads the echo to the end. */
    private static byte[] roundTrip(Socket s, byte[] data) throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writer = ex.submit(() -> {
                OutputStream out = s.getOutputStream();
                out.write(data);
                s.shutdownOutput();
                return null;
            });
            byte[] back = s.getInputStream().readAllBytes();
            writer.get();
            return back;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 100_000, 8 * 1024 * 1024})
    void everythingOwedIsSentAfterTheClientsHalfClose(int size) throws Exception {
        byte[] data = random(size, size);
        try (Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events); Socket s = Loopback.connect(server)) {
            assertThat(Arrays.equals(roundTrip(s, data), data)).as("echo of %d bytes is byte-exact", size).isTrue();
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(30));
            assertThat(r.bytesIn()).isEqualTo(size);
            assertThat(r.bytesOut()).isEqualTo(size);
        }
    }

    @Test
    void aThousandConcurrentClientsEachGetTheirOwn64KiBBack() throws Exception {
        int clients = 1000;
        try (Server server = Loopback.serve("::1", "echo", Settings.defaults(), events, b -> b);
             ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                long seed = i;
                results.add(ex.submit(() -> {
                    byte[] data = random(64 * 1024, seed);
                    try (Socket s = Loopback.connect(server)) {
                        return Arrays.equals(roundTrip(s, data), data);
                    }
                }));
            }
            int ok = 0;
            for (Future<Boolean> f : results) {
                ok += f.get() ? 1 : 0;
            }
            assertThat(ok).isEqualTo(clients);
            for (int i = 0; i < clients; i++) {
                assertThat(events.nextEnded(Duration.ofSeconds(30)).bytesOut()).isEqualTo(64 * 1024);
            }
        }
    }

    /**
     * A client that writes 256 MiB and never reads. If the server buffered what it could not send,
     * it would read all of it; with TCP flow control as the only buffer, the client's writes stall
     * after the kernel buffers and the connection's fixed buffers are full.
     */
    @Test
    void aClientThatNeverReadsIsHeldBackByFlowControlNotTheHeap() throws Exception {
        long attempt = 256L * 1024 * 1024;
        try (Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events);
             SocketChannel ch = Loopback.channel(server);
             Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long written = 0;
            // Write until the socket stays unwritable: the stall is the proof.
            while (written < attempt) {
                if (selector.select(3000) == 0) {
                    break;
                }
                selector.selectedKeys().clear();
                chunk.clear();
                written += ch.write(chunk);
            }
            assertThat(written).as("bytes accepted before the stall").isLessThan(64L * 1024 * 1024);

            // Now read: everything written comes back, and the connection is healthy.
            key.cancel();
            selector.selectNow();
            ch.configureBlocking(true);
            ch.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(256 * 1024);
            long echoed = 0;
            int n;
            while ((n = ch.read(in)) >= 0) {
                echoed += n;
                in.clear();
            }
            assertThat(echoed).isEqualTo(written);
        }
        Runtime.getRuntime().gc();
    }

    @Test
    void aResettingPeerEndsOnlyItsOwnConnection() throws Exception {
        try (Server server = Loopback.serve("127.0.0.1", "chargen", Settings.defaults(), events)) {
            Socket rude = Loopback.connect(server);
            rude.getInputStream().readNBytes(1000);
            rude.setSoLinger(true, 0); // close with a reset while chargen is writing
            rude.close();
            ConnectionRecord r = events.nextEnded(Duration.ofSeconds(10));
            assertThat(r.outcome()).isIn("reset by peer", "peer went away");
            try (Socket polite = Loopback.connect(server)) {
                InputStream in = polite.getInputStream();
                assertThat(in.readNBytes(74)).hasSize(74);
            }
        }
    }
}
