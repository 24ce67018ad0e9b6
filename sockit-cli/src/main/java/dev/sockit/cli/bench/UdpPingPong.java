package dev.sockit.cli.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * UDP echo round trips: each socket sends a datagram and waits for its echo. A reply that does not
 * come within the timeout is lost; one that comes later is recognised by its sequence number and dropped.
 */
final class UdpPingPong implements Load {

    @Override
    public List<Thread> start(Run run) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < run.plan.connections(); i++) {
            int index = i;
            threads.add(run.spawn("bench-udp-" + i, () -> socket(run, index)));
        }
        return threads;
    }

    private static void socket(Run run, int index) {
        Plan plan = run.plan;
        Tally tally = run.tally;
        int size = plan.size();
        byte[] sent = new byte[size];
        byte[] got = new byte[size + 1]; // one spare byte shows a reply that is too long
        DatagramPacket request = new DatagramPacket(sent, size);
        DatagramPacket reply = new DatagramPacket(got, got.length);
        DatagramSocket socket;
        try {
            socket = new DatagramSocket(plan.source(index));
            run.hold(socket);
            socket.connect(plan.target());
            socket.setSoTimeout((int) Math.max(1, plan.timeout().toMillis()));
        } catch (IOException e) {
            run.failed("udp socket", e);
            return;
        }
        try {
            long interval = plan.intervalNanos();
            Pacer pacer = new Pacer(interval, System.nanoTime() + interval * index / plan.connections());
            for (long seq = 0; ; seq++) {
                long start = pacer.await();
                if (start - run.deadline >= 0) {
                    break;
                }
                Patterns.message(sent, seq);
                socket.send(request);
                boolean counts = run.counts(start);
                if (counts) {
                    tally.sent.add(size);
                }
                if (awaitReply(socket, reply, seq, run)) {
                    if (counts) {
                        tally.latency(System.nanoTime() - start);
                        tally.ops.increment();
                        tally.received.add(reply.getLength());
                    }
                    if (plan.verify()) {
                        String diff = reply.getLength() != size
                                ? "echo of datagram " + seq + " is " + reply.getLength() + " bytes, sent " + size
                                : Patterns.difference(sent, 0, got, 0, size, 0);
                        if (diff != null) {
                            tally.mismatch("echo of datagram " + seq + " differs: " + diff);
                        }
                    }
                } else if (counts) {
                    tally.lost.increment();
                }
            }
        } catch (IOException e) {
            run.failed("udp", e);
        } finally {
            run.release(socket);
        }
    }

    /** Receives until the echo of {@code seq} comes (true) or the timeout passes (false); older echoes are dropped. */
    private static boolean awaitReply(DatagramSocket socket, DatagramPacket reply, long seq, Run run) throws IOException {
        long giveUp = System.nanoTime() + run.plan.timeout().toNanos();
        while (true) {
            reply.setLength(reply.getData().length);
            try {
                socket.receive(reply);
            } catch (SocketTimeoutException e) {
                return false;
            }
            if (reply.getLength() < 8 || Patterns.sequence(Arrays.copyOf(reply.getData(), 8)) == seq) {
                return true;
            }
            if (System.nanoTime() - giveUp >= 0) {
                return false;
            }
        }
    }
}
