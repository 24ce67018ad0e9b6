package dev.sockit.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link ByteStream#poll}, on a connected pair of loopback sockets, as a connection's virtual thread uses it. */
@Timeout(30)
class ByteStreamTest {
    private static final long LONG = 20_000_000_000L;

    @Test
    void pollReturnsNothingAtItsDeadlineThenWhatArrivesThenEndOfStream() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel peer = SocketChannel.open(listener.getLocalAddress());
             SocketChannel accepted = listener.accept();
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            ByteStream stream = ByteStream.of(accepted);
            ByteBuffer in = ByteBuffer.allocate(64);

            // Nothing sent: the poll gives up at its deadline, and reads block again afterwards.
            assertThat(virtual.submit(() -> stream.poll(in, System.nanoTime())).get()).isZero();
            assertThat(accepted.isBlocking()).isTrue();

            // A poll already running sees bytes sent after it started (it tries again and again until they come).
            CompletableFuture<Void> polling = new CompletableFuture<>();
            Future<Integer> got = virtual.submit(() -> {
                polling.complete(null);
                return stream.poll(in, System.nanoTime() + LONG);
            });
            polling.get();
            peer.write(US_ASCII.encode("ping\r\n"));
            assertThat(got.get()).isEqualTo(6);
            assertThat(new String(in.array(), 0, in.position(), US_ASCII)).isEqualTo("ping\r\n");
            assertThat(accepted.isBlocking()).isTrue();

            // After a poll, a blocking read still blocks until data comes, as before.
            in.clear();
            Future<Integer> blocking = virtual.submit(() -> stream.io().read(in));
            peer.write(US_ASCII.encode("x"));
            assertThat(blocking.get()).isEqualTo(1);

            peer.shutdownOutput();
            assertThat(virtual.submit(() -> stream.poll(in, System.nanoTime() + LONG)).get()).isEqualTo(-1);
        }
    }
}
