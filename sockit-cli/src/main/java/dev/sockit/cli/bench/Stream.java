package dev.sockit.cli.bench;

import dev.sockit.io.ExactIO;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk bytes as fast as the sockets take them: both ways through echo (a writer and a reader per
 * connection), one way to discard, one way from chargen. At the deadline a writer half-closes, and
 * its reader takes what is still owed until the server closes, so the server sees a clean end.
 */
final class Stream implements Load {

    @Override
    public List<Thread> start(Run run) {
        List<Thread> threads = new ArrayList<>();
        String service = run.plan.service();
        boolean send = !service.equals("chargen");
        boolean receive = !service.equals("discard");
        for (int i = 0; i < run.plan.connections(); i++) {
            int index = i;
            SocketChannel ch;
            try {
                ch = run.dial(index);
            } catch (IOException e) {
                run.failed("connect", e);
                continue;
            }
            threads.add(run.spawn("bench-stream-" + i, () -> {
                long[] received = {-1};
                // To discard, what comes back is counted while we send (a server that echoes would otherwise
                // fill the buffers both ways and stall the sending until the run's timeout).
                Thread reader = run.spawn("bench-stream-read-" + index, receive
                        ? () -> received[0] = read(run, ch, service)
                        : () -> received[0] = drain(run, ch));
                long sent = send ? write(run, ch) : -1;
                try {
                    reader.join();
                    if (run.plan.verify()) {
                        if (!receive && received[0] > 0) {
                            run.tally.mismatch("a discard server sends nothing; " + received[0] + " bytes came back (is it an echo server?)");
                        } else if (receive && send && sent >= 0 && received[0] >= 0 && received[0] != sent) {
                            // an echo that ended short: a discard port, say, which takes everything and returns nothing
                            run.tally.mismatch("the echo stream " + (received[0] < sent ? "ended after " + received[0] + " of" : "returned " + received[0]
                                    + " bytes for") + " the " + sent + " bytes sent (is it an echo server?)");
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    run.hangUp(ch);
                }
            }));
        }
        return threads;
    }

    /** Writes until the deadline, then half-closes; the bytes written, or -1 when writing failed. */
    private static long write(Run run, SocketChannel ch) {
        int size = run.plan.size();
        byte[] pattern = Patterns.stream(size);
        long offset = 0;
        try {
            while (!run.over()) {
                ByteBuffer b = ByteBuffer.wrap(pattern, Patterns.streamStart(offset), size);
                long start = System.nanoTime();
                ExactIO.writeFully(ch, b);
                offset += size;
                if (run.counts(start)) {
                    run.tally.sent.add(size);
                }
            }
            ch.shutdownOutput();
            return offset;
        } catch (IOException e) {
            run.failed("stream write", e);
            return -1;
        }
    }

    /**
     * Reads (and checks) until the server closes, or, from chargen which never does, until the deadline.
     * Returns the bytes read, or -1 when reading stopped early (a failure, a mismatch, chargen's deadline).
     */
    private static long read(Run run, SocketChannel ch, String service) {
        boolean chargen = service.equals("chargen");
        int size = Math.max(run.plan.size(), 16 * 1024);
        byte[] expected = chargen ? Patterns.chargen(size) : Patterns.stream(size);
        byte[] got = new byte[size];
        ByteBuffer in = ByteBuffer.wrap(got);
        long offset = 0;
        try {
            while (!(chargen && run.over())) {
                in.clear();
                int n = ch.read(in);
                if (n < 0) {
                    return offset;
                }
                if (run.counts(System.nanoTime())) { // warm-up, and what is still owed after the deadline, are not counted
                    run.tally.received.add(n);
                    run.tally.ops.increment(); // one read: stream's "operation" is only for the progress line
                }
                if (run.plan.verify()) {
                    int from = chargen ? Patterns.chargenStart(offset) : Patterns.streamStart(offset);
                    String diff = Patterns.difference(expected, from, got, 0, n, offset);
                    if (diff != null) {
                        run.tally.mismatch((chargen ? "chargen stream" : "echo stream") + " differs: " + diff);
                        return -1;
                    }
                }
                offset += n;
            }
        } catch (IOException e) {
            run.failed("stream read", e);
        }
        return -1;
    }

    /**
     * One-way to discard: reads until the server closes after our half-close, so that neither side
     * resets. Returns how much came back, which from a discard server is nothing.
     */
    private static long drain(Run run, SocketChannel ch) {
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        long back = 0;
        try {
            int n;
            while ((n = ch.read(in.clear())) >= 0) {
                back += n;
            }
        } catch (IOException e) {
            run.failed("stream close", e);
        }
        return back;
    }
}
