package dev.sockit.cli.bench;

import dev.sockit.io.ExactIO;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/** TCP or Unix stream: each connection sends a message and reads its whole echo before the next. */
final class PingPong implements Load {

    @Override
    public List<Thread> start(Run run) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < run.plan.connections(); i++) {
            int index = i;
            threads.add(run.spawn("bench-pingpong-" + i, () -> connection(run, index)));
        }
        return threads;
    }

    private static void connection(Run run, int index) {
        Plan plan = run.plan;
        Tally tally = run.tally;
        int size = plan.size();
        byte[] sent = new byte[size];
        byte[] got = new byte[size];
        ByteBuffer out = ByteBuffer.wrap(sent);
        ByteBuffer in = ByteBuffer.wrap(got);
        SocketChannel ch;
        try {
            ch = run.dial(index);
        } catch (IOException e) {
            run.failed("connect", e);
            return;
        }
        try {
            // Connections start spread over one interval, so a paced load is smooth, not in bursts.
            long interval = plan.intervalNanos();
            Pacer pacer = new Pacer(interval, System.nanoTime() + interval * index / plan.connections());
            for (long seq = 0; ; seq++) {
                long start = pacer.await();
                if (start - run.deadline >= 0) {
                    break;
                }
                Patterns.message(sent, seq);
                out.clear();
                ExactIO.writeFully(ch, out);
                in.clear();
                ExactIO.readFully(ch, in);
                if (run.counts(start)) {
                    tally.latency(System.nanoTime() - start);
                    tally.ops.increment();
                    tally.sent.add(size);
                    tally.received.add(size);
                }
                if (plan.verify()) {
                    String diff = Patterns.difference(sent, 0, got, 0, size, seq * size);
                    if (diff != null) {
                        tally.mismatch("echo of message " + seq + " differs: " + diff);
                        break; // the byte stream is out of step: every later message would differ too
                    }
                }
            }
        } catch (IOException e) {
            run.failed("pingpong", e);
        } finally {
            run.hangUp(ch);
        }
    }
}
