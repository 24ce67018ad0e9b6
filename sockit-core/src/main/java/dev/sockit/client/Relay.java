package dev.sockit.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What netcat does: bytes from an input to a connection and from the connection to an output, both
 * at once. When the input ends, the connection is half-closed (our FIN) and the relay keeps reading
 * until the peer has finished too, so a request/response over one connection works from a pipe.
 *
 * @param halfClose        on the input's end, send a FIN and keep reading; false sends nothing and keeps
 *                         reading until the peer closes (ncat's --no-shutdown, nc without -N): for a peer
 *                         that takes a FIN as the end of everything and would not answer
 * @param stopWhenPeerEnds when the peer finishes sending, stop without waiting for the input to end
 *                         (right for a person at a terminal); false keeps sending until the input ends,
 *                         so nothing piped in is lost to a peer that half-closed early
 */
public record Relay(boolean halfClose, boolean stopWhenPeerEnds) {

    /** Bytes moved each way. */
    public record Result(long sent, long received) {
    }

    /**
     * Relays until both directions are done (see the flags), then closes the connection.
     *
     * <p>The input is read on a thread of its own; if the relay ends first (the peer closed, and
     * {@code stopWhenPeerEnds}), that thread is left blocked in its read until the input yields.
     *
     * @throws IOException when the connection fails (reset, idle timeout), or the output cannot be written
     */
    public Result run(Connection c, InputStream in, OutputStream out) throws IOException {
        AtomicLong sent = new AtomicLong();
        CountDownLatch uploaded = new CountDownLatch(1);
        AtomicReference<IOException> uploadFailure = new AtomicReference<>();
        Threads.start(c.blocksInNativeCode(), "sockit-relay-upload " + c.peer(), () -> {
            try {
                byte[] buf = new byte[16 * 1024];
                int r;
                while ((r = in.read(buf)) >= 0) {
                    c.write(ByteBuffer.wrap(buf, 0, r));
                    sent.addAndGet(r);
                }
                if (halfClose) {
                    c.shutdownOutput();
                }
            } catch (IOException e) {
                uploadFailure.set(e);
            } finally {
                uploaded.countDown();
            }
        });
        long received = 0;
        try {
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            int n;
            while ((n = c.read(buf.clear())) >= 0) {
                writeOut(out, buf.array(), 0, n);
                received += n;
            }
            if (!stopWhenPeerEnds) {
                uploaded.await();
                IOException failed = uploadFailure.get();
                if (failed != null) {
                    throw new IOException(failed.getMessage() + " (after " + sent.get() + " bytes)", failed);
                }
            }
            return new Result(sent.get(), received);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            c.closeQuietly();
        }
    }

    /**
     * Writes and flushes {@code out}. A PrintStream (System.out) never throws: it keeps the error to
     * itself, so it is asked for one; otherwise a relay whose reader went away would go on for ever.
     */
    public static void writeOut(OutputStream out, byte[] b, int off, int n) throws OutputClosedException {
        try {
            out.write(b, off, n);
            out.flush();
        } catch (IOException e) {
            throw new OutputClosedException(e.getMessage(), e);
        }
        if (out instanceof PrintStream p && p.checkError()) {
            throw new OutputClosedException("the stream reported an error", null); // EPIPE most often: the reader went away
        }
    }

    /**
     * Flushes {@code out} and throws if any write to it failed: a PrintStream (System.out) keeps its
     * failures to itself, so a command that printed through one asks once, at its end.
     */
    public static void checkOut(OutputStream out) throws OutputClosedException {
        writeOut(out, new byte[0], 0, 0);
    }

    /** Our own output (stdout) cannot be written: most often the reader went away, as in {@code sockit connect ... | head -1}. */
    public static final class OutputClosedException extends IOException {
        OutputClosedException(String why, IOException cause) {
            super("cannot write the output: " + why, cause);
        }
    }
}
