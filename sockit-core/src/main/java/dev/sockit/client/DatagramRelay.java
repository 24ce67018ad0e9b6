package dev.sockit.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * netcat over datagrams (UDP or Unix): each read of the input (or each line) goes out as one
 * datagram; each datagram from the peer goes to the output. Datagrams have no end of stream, so after
 * the input ends the relay waits a while for late replies, then stops.
 *
 * @param lines  one datagram per line (newline included) instead of one per read
 * @param linger after the input ends, stop once the peer has been silent this long; null: never stop
 */
public record DatagramRelay(boolean lines, Duration linger) {
    /** How often the receiving side looks up from an empty socket to see whether the input has ended. */
    private static final Duration POLL = Duration.ofMillis(200);

    public record Result(long datagramsSent, long bytesSent, long datagramsReceived, long bytesReceived) {
    }

    public Result run(DatagramLink link, InputStream input, OutputStream out) throws IOException {
        InputStream in = lines ? new BufferedInputStream(input) : input; // per-read semantics matter only without --lines
        long[] sent = {0, 0};
        AtomicReference<IOException> uploadFailure = new AtomicReference<>();
        Thread upload = Threads.start(link.blocksInNativeCode(), "sockit-datagram-upload " + link.peerText(), () -> {
            try {
                byte[] buf = new byte[DatagramLink.MAX_DATAGRAM];
                int r;
                while ((r = lines ? readLine(in, buf) : in.read(buf)) > 0) {
                    link.send(ByteBuffer.wrap(buf, 0, r));
                    synchronized (sent) {
                        sent[0]++;
                        sent[1] += r;
                    }
                }
            } catch (IOException e) {
                uploadFailure.set(e);
            }
        });
        long datagrams = 0;
        long bytes = 0;
        long quietSince = System.nanoTime();
        while (true) {
            byte[] d = link.receive(POLL); // a refusal is said in words by the link
            if (d != null) {
                datagrams++;
                bytes += d.length;
                Relay.writeOut(out, d, 0, d.length);
                quietSince = System.nanoTime();
                continue;
            }
            if (upload.isAlive()) {
                quietSince = System.nanoTime(); // lingering starts when the input ends
            } else if (uploadFailure.get() != null) {
                break; // sending failed: no reply to wait for
            } else if (linger != null && System.nanoTime() - quietSince >= linger.toNanos()) {
                break;
            }
        }
        IOException failed = uploadFailure.get();
        if (failed != null) {
            // A timed-out send is a Unix datagram peer whose queue stayed full: its own message says so.
            String why = failed instanceof java.net.SocketTimeoutException ? failed.getMessage() : Reasons.of(failed);
            throw new IOException("sending to " + link.label() + " failed: " + why, failed);
        }
        synchronized (sent) {
            return new Result(sent[0], sent[1], datagrams, bytes);
        }
    }

    /** Reads up to and including a newline (or until the buffer is full, or the input ends); 0 at the end. */
    private static int readLine(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            buf[n++] = (byte) b;
            if (b == '\n') {
                break;
            }
        }
        return n;
    }
}
