package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Connection rate against a one-shot service (daytime, time, qotd): connect, read the reply to the
 * server's close, close, again. The latency is from the start of the connect to the end of the reply.
 */
final class ConnRate implements Load {
    /** Every one-shot reply is under 512 bytes; more than this is a server that will not stop. */
    private static final int MAX_REPLY = 4096;

    @Override
    public List<Thread> start(Run run) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < run.plan.connections(); i++) {
            int index = i;
            threads.add(run.spawn("bench-connrate-" + i, () -> loop(run, index)));
        }
        return threads;
    }

    private static void loop(Run run, int index) {
        Plan plan = run.plan;
        byte[] reply = new byte[MAX_REPLY + 1];
        ByteBuffer in = ByteBuffer.wrap(reply);
        long interval = plan.intervalNanos();
        Pacer pacer = new Pacer(interval, System.nanoTime() + interval * index / plan.connections());
        while (true) {
            long start = pacer.await();
            if (start - run.deadline >= 0) {
                return;
            }
            SocketChannel ch;
            try {
                ch = run.dial(index);
            } catch (IOException e) {
                run.failed("connect", e);
                return;
            }
            in.clear();
            try {
                while (in.hasRemaining() && ch.read(in) >= 0) {
                    // read to the server's close
                }
            } catch (IOException e) {
                run.failed(plan.service(), e);
                return;
            } finally {
                run.hangUp(ch);
            }
            if (run.counts(start)) {
                run.tally.latency(System.nanoTime() - start);
                run.tally.ops.increment();
                run.tally.received.add(in.position());
            }
            if (!in.hasRemaining()) {
                run.tally.mismatch(plan.service() + " server sent more than " + MAX_REPLY + " bytes without closing");
                return;
            }
            if (plan.verify()) {
                String wrong = Replies.check(plan.service(), reply, in.position());
                if (wrong != null) {
                    run.tally.mismatch(wrong);
                }
            }
        }
    }
}
