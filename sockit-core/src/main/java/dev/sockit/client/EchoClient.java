package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * RFC 862: sends bytes and checks that every one comes back, in order. Over a stream, sending and
 * receiving run at once, so any amount can be echoed without either side's buffers filling up; what
 * was sent but not yet seen back is held in a bounded queue.
 */
public final class EchoClient {
    static final int CHUNK = 8192;
    /** Chunks sent but not yet echoed: with {@link #CHUNK}, at most 512 KiB in flight. */
    private static final int IN_FLIGHT = 64;
    /** One datagram per chunk over UDP: small enough to pass any path without fragmenting. */
    static final int DATAGRAM_CHUNK = 1024;
    private static final byte[] END = new byte[0];

    private EchoClient() {
    }

    /**
     * Sends everything from {@code source}, half-closes, and checks the echo against it byte for byte.
     *
     * @param echoed receives each verified byte of the echo (for printing), or null
     * @throws MismatchException at the first byte that differs, or when the echo is longer than what was sent
     * @throws IOException       when the echo ends early, or the connection fails
     */
    public static EchoResult echo(Dialer dialer, Endpoint endpoint, Transport transport, InputStream source, OutputStream echoed)
            throws IOException {
        return transport == Transport.UDP ? echoDatagrams(dialer, endpoint, source, echoed) : echoStream(dialer, endpoint, source, echoed);
    }

    private static EchoResult echoStream(Dialer dialer, Endpoint endpoint, InputStream source, OutputStream echoed) throws IOException {
        long start = System.nanoTime();
        try (Connection c = dialer.connect(endpoint)) {
            BlockingQueue<byte[]> sent = new ArrayBlockingQueue<>(IN_FLIGHT);
            AtomicReference<IOException> sendFailure = new AtomicReference<>();
            Thread sender = Threads.start(c.blocksInNativeCode(), "sockit-echo-send", () -> {
                try {
                    byte[] buf = new byte[CHUNK];
                    int r;
                    while ((r = source.read(buf)) >= 0) {
                        if (r == 0) {
                            continue;
                        }
                        byte[] chunk = Arrays.copyOf(buf, r);
                        sent.put(chunk); // recorded before it is sent, so the echo is never ahead of the record
                        c.write(ByteBuffer.wrap(chunk));
                    }
                    sent.put(END);
                    c.shutdownOutput();
                } catch (IOException e) {
                    sendFailure.set(e);
                } catch (InterruptedException e) {
                    // the receiver has finished or failed; it reports
                }
            });
            try {
                long verified = receive(c, sent, echoed);
                sender.join();
                if (sendFailure.get() != null) {
                    throw sendFailure.get();
                }
                return new EchoResult(c.peer(), verified, 0, java.time.Duration.ofNanos(System.nanoTime() - start));
            } catch (IOException e) {
                if (sendFailure.get() != null && !(e instanceof MismatchException)) {
                    throw sendFailure.get(); // the first failure says most
                }
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                c.closeQuietly();
                sender.interrupt();
            }
        }
    }

    /** Reads the echo to its end, comparing each byte with what was sent; returns how many matched. */
    private static long receive(Connection c, BlockingQueue<byte[]> sent, OutputStream echoed) throws IOException, InterruptedException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        byte[] expected = null;
        int at = 0;
        long offset = 0;
        while (true) {
            buf.clear();
            int n = c.read(buf);
            if (n < 0) {
                // The server closes only after our FIN, which follows END into the queue: all came back iff END is next.
                boolean chunkDone = expected == null || at == expected.length;
                if (!chunkDone || sent.peek() != END) {
                    throw new IOException("echo from " + c.peer() + " ended after " + offset + " bytes, before all that was sent came back");
                }
                return offset;
            }
            byte[] b = buf.array();
            for (int i = 0; i < n; i++) {
                if (expected == null || at == expected.length) {
                    expected = sent.take();
                    at = 0;
                }
                if (expected == END) {
                    throw new MismatchException("echo from " + c.peer() + " is longer than what was sent: "
                            + Text.showByte(b[i]) + " came back at offset " + offset + ", after the last byte sent", offset);
                }
                if (b[i] != expected[at]) {
                    flush(echoed, b, i);
                    throw new MismatchException("echo from " + c.peer() + " differs at offset " + offset + ": sent "
                            + Text.showByte(expected[at]) + ", got " + Text.showByte(b[i]), offset);
                }
                at++;
                offset++;
            }
            flush(echoed, b, n);
        }
    }

    private static void flush(OutputStream echoed, byte[] b, int n) throws IOException {
        if (echoed != null && n > 0) {
            echoed.write(b, 0, n);
            echoed.flush();
        }
    }

    private static EchoResult echoDatagrams(Dialer dialer, Endpoint endpoint, InputStream source, OutputStream echoed) throws IOException {
        long start = System.nanoTime();
        byte[] buf = new byte[DATAGRAM_CHUNK];
        long offset = 0;
        long datagrams = 0;
        DatagramLink link = null;
        byte[] previous = null;
        try {
            int r;
            while ((r = source.readNBytes(buf, 0, buf.length)) > 0) {
                byte[] chunk = Arrays.copyOf(buf, r);
                byte[] reply;
                if (link == null) {
                    Dialer.Answered a = dialer.ask(endpoint, chunk);
                    link = a.link();
                    reply = a.reply();
                } else {
                    byte[] late = previous;
                    try {
                        // A resent datagram may be echoed twice; the second copy of the previous one is not this echo.
                        reply = link.ask(chunk, got -> late == null || !Arrays.equals(got, late) || Arrays.equals(got, chunk));
                    } catch (java.net.SocketTimeoutException e) {
                        throw new IOException("echo from " + link.label() + ": datagram " + (datagrams + 1) + " (bytes " + offset
                                + ".." + (offset + r - 1) + ") got " + e.getMessage());
                    }
                }
                datagrams++;
                String peer = link.label();
                int same = Math.min(reply.length, chunk.length);
                for (int i = 0; i < same; i++) {
                    if (reply[i] != chunk[i]) {
                        flush(echoed, reply, i);
                        throw new MismatchException("echo from " + peer + " differs at offset " + (offset + i) + ": sent "
                                + Text.showByte(chunk[i]) + ", got " + Text.showByte(reply[i]), offset + i);
                    }
                }
                flush(echoed, reply, same);
                if (reply.length != chunk.length) {
                    throw new MismatchException("echo from " + peer + " differs at offset " + (offset + same) + ": a datagram of "
                            + chunk.length + " bytes came back as " + reply.length, offset + same);
                }
                offset += r;
                previous = chunk;
            }
        } finally {
            if (link != null) {
                link.close();
            }
        }
        return new EchoResult(link == null ? "" : link.peerText(), offset, datagrams, java.time.Duration.ofNanos(System.nanoTime() - start));
    }
}
