package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Opens the connections (a few dialers at a time), holds them silent until the deadline, then checks
 * which the server still holds: a non-blocking read that finds nothing means open, end of stream or
 * a reset means the server let it go. No thread waits on an idle connection.
 */
final class Idle implements Load {
    private static final int DIALERS = 32;

    @Override
    public List<Thread> start(Run run) {
        int n = run.plan.connections();
        AtomicReferenceArray<SocketChannel> channels = new AtomicReferenceArray<>(n);
        AtomicInteger next = new AtomicInteger();
        List<Thread> dialers = new ArrayList<>();
        for (int d = 0; d < Math.min(DIALERS, n); d++) {
            dialers.add(Thread.ofVirtual().name("bench-idle-dialer-" + d).start(() -> {
                int i;
                while (!run.over() && (i = next.getAndIncrement()) < n) {
                    try {
                        channels.set(i, run.dial(i));
                        run.tally.ops.increment();
                    } catch (IOException e) {
                        run.failed("connect", e);
                    }
                }
            }));
        }
        Thread holder = Thread.ofVirtual().name("bench-idle").start(() -> {
            try {
                for (Thread t : dialers) {
                    t.join();
                }
                // Hold until the run has measured (the server's memory among it), however long the run lasts.
                run.measured.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ByteBuffer probe = ByteBuffer.allocate(1);
            for (int i = 0; i < n; i++) {
                SocketChannel ch = channels.get(i);
                if (ch == null) {
                    continue;
                }
                try {
                    ch.configureBlocking(false);
                    if (ch.read(probe.clear()) == 0) {
                        run.tally.held.incrementAndGet();
                    }
                } catch (IOException e) {
                    // the server reset it: not held
                }
                run.hangUp(ch);
            }
        });
        return List.of(holder);
    }
}
