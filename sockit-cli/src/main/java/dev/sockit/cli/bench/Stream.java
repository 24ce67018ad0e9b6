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
                Thread reader = receive ? run.spawn("bench-stream-read-" + index, () -> read(run, ch, service)) : null;
                if (send) {
                    write(run, ch);
                }
                try {
                    if (reader != null) {
                        reader.join();
                    } else {
                        drain(run, ch);
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

    private static void write(Run run, SocketChannel ch) {
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
        } catch (IOException e) {
            run.failed("stream write", e);
        }
    }

    /** Reads (and checks) until the server closes, or, from chargen which never does, until the deadline. */
    private static void read(Run run, SocketChannel ch, String service) {
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
                    break;
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
                        return;
                    }
                }
                offset += n;
            }
        } catch (IOException e) {
            run.failed("stream read", e);
        }
    }

    /** One-way to discard: after our half-close, wait for the server's close so neither side resets. */
    private static void drain(Run run, SocketChannel ch) {
        ByteBuffer in = ByteBuffer.allocate(4096);
        try {
            while (ch.read(in.clear()) >= 0) {
                // discard sends nothing; anything here is dropped
            }
        } catch (IOException e) {
            run.failed("stream close", e);
        }
    }
}
