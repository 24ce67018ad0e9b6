package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * RFC 863: sends bytes to be thrown away. Over a stream, it half-closes when done and waits for the
 * server to close in turn, which shows everything was read; over UDP nothing comes back.
 */
public final class DiscardClient {
    private DiscardClient() {
    }

    public static DiscardResult send(Dialer dialer, Endpoint endpoint, Transport transport, InputStream source) throws IOException {
        long start = System.nanoTime();
        if (transport == Transport.UDP) {
            try (DatagramLink link = dialer.datagram(endpoint)) {
                byte[] buf = new byte[EchoClient.DATAGRAM_CHUNK];
                long bytes = 0;
                long datagrams = 0;
                int r;
                while ((r = source.readNBytes(buf, 0, buf.length)) > 0) {
                    link.send(ByteBuffer.wrap(buf, 0, r));
                    bytes += r;
                    datagrams++;
                }
                return new DiscardResult(link.peerText(), bytes, datagrams, false, Duration.ofNanos(System.nanoTime() - start));
            }
        }
        try (Connection c = dialer.connect(endpoint)) {
            // Whatever comes back is read all along: a server that answers (an echo server by mistake) must
            // not fill its buffers and stall our sending.
            long[] answered = {0};
            AtomicBoolean ourEndSent = new AtomicBoolean();
            // How the server ended the connection, read after the join: before our end of stream, or with a reset
            boolean[] early = {false};
            IOException[] reset = {null};
            Thread drain = Threads.start(c.blocksInNativeCode(), "sockit-discard-drain", () -> {
                ByteBuffer drop = ByteBuffer.allocate(4096);
                try {
                    int n;
                    while ((n = c.stream().read(drop.clear())) >= 0) {
                        answered[0] += n;
                    }
                    early[0] = !ourEndSent.get();
                } catch (IOException e) {
                    reset[0] = e; // the server closed over bytes it had not read
                }
            });
            byte[] buf = new byte[EchoClient.CHUNK];
            long bytes = 0;
            int r;
            while ((r = source.read(buf)) >= 0) {
                c.write(ByteBuffer.wrap(buf, 0, r));
                bytes += r;
            }
            ourEndSent.set(true);
            try {
                c.shutdownOutput();
            } catch (IOException e) {
                // already reset by the server: the drain has seen it, and says so below
            }
            Duration wait = dialer.options().idleTimeout().isZero() ? ClientOptions.DEFAULT_TIMEOUT : dialer.options().idleTimeout();
            try {
                if (!drain.join(wait)) {
                    c.closeQuietly();
                    throw new IOException(c.peer() + " did not close within " + Durations.show(wait)
                            + " of our end of stream; it may not have read all " + bytes + " bytes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (reset[0] != null && !(reset[0] instanceof java.nio.channels.ClosedChannelException)) {
                throw new IOException(c.peer() + " reset the connection: it did not read all " + bytes + " bytes (" + Reasons.of(reset[0]) + ")", reset[0]);
            }
            if (early[0]) {
                throw new IOException(c.peer() + " closed before our end of stream; a discard server reads until the client closes,"
                        + " so it may not have read all " + bytes + " bytes");
            }
            if (answered[0] > 0) {
                throw new IOException(c.peer() + " sent " + answered[0] + " bytes back; a discard server sends nothing (is it an echo server?)");
            }
            return new DiscardResult(c.peer(), bytes, 0, true, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
