package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpaced pingpong over many connections, driven by NIO selectors, one per CPU, each owning a share
 * of the connections. A blocking thread per connection costs a failed read and a poller round trip
 * per message; a selector loop costs a read and a write, which keeps the load generator well below
 * the server it measures when there are hundreds of connections.
 */
final class SelectorPingPong implements Load {

    @Override
    public List<Thread> start(Run run) {
        int loops = Math.min(run.plan.connections(), Runtime.getRuntime().availableProcessors());
        List<Thread> threads = new ArrayList<>();
        for (int l = 0; l < loops; l++) {
            int loop = l;
            threads.add(Thread.ofPlatform().daemon().name("bench-selector-" + l).start(() -> loop(run, loop, loops)));
        }
        return threads;
    }

    /** One connection's exchange in flight. */
    private static final class Exchange {
        final SocketChannel channel;
        final byte[] sent;
        final byte[] got;
        final ByteBuffer out;
        final ByteBuffer in;
        long seq;
        long start;

        Exchange(SocketChannel channel, int size) {
            this.channel = channel;
            this.sent = new byte[size];
            this.got = new byte[size];
            this.out = ByteBuffer.wrap(sent);
            this.in = ByteBuffer.wrap(got);
        }
    }

    private static void loop(Run run, int loop, int loops) {
        List<Exchange> mine = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = loop; i < run.plan.connections(); i += loops) {
                try {
                    SocketChannel ch = run.dial(i);
                    ch.configureBlocking(false);
                    Exchange x = new Exchange(ch, run.plan.size());
                    mine.add(x);
                    SelectionKey key = ch.register(selector, 0, x);
                    send(run, key, x);
                } catch (IOException e) {
                    run.failed("connect", e);
                }
            }
            int live = mine.size();
            while (live > 0 && !run.over()) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Exchange x = (Exchange) key.attachment();
                    try {
                        if (key.isWritable()) {
                            if (!write(key, x)) {
                                continue;
                            }
                        }
                        if (key.isReadable() && receive(run, key, x)) {
                            send(run, key, x);
                        }
                    } catch (IOException e) {
                        run.failed("pingpong", e);
                        key.cancel();
                        live--;
                    } catch (Mismatch m) {
                        key.cancel();
                        live--;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            run.failed("selector", e);
        } finally {
            for (Exchange x : mine) {
                run.hangUp(x.channel);
            }
        }
    }

    /** Starts the next exchange on this connection, unless the run is over. */
    private static void send(Run run, SelectionKey key, Exchange x) throws IOException {
        x.start = System.nanoTime();
        if (x.start - run.deadline >= 0) {
            key.interestOps(0);
            return;
        }
        Patterns.message(x.sent, x.seq);
        x.out.clear();
        x.in.clear();
        write(key, x);
    }

    /** Writes what the socket takes; true once the whole message is out and the echo is awaited. */
    private static boolean write(SelectionKey key, Exchange x) throws IOException {
        x.channel.write(x.out);
        boolean done = !x.out.hasRemaining();
        key.interestOps(done ? SelectionKey.OP_READ : SelectionKey.OP_WRITE);
        return done;
    }

    /** Reads what has come; true once the whole echo is in (and counted, and checked). */
    private static boolean receive(Run run, SelectionKey key, Exchange x) throws IOException {
        int n = x.channel.read(x.in);
        if (n < 0) {
            throw new java.io.EOFException("peer closed after " + x.in.position() + " of " + x.in.capacity() + " bytes");
        }
        if (x.in.hasRemaining()) {
            return false;
        }
        Tally tally = run.tally;
        if (run.counts(x.start)) {
            tally.latency(System.nanoTime() - x.start);
            tally.ops.increment();
            tally.sent.add(x.sent.length);
            tally.received.add(x.got.length);
        }
        if (run.plan.verify()) {
            String diff = Patterns.difference(x.sent, 0, x.got, 0, x.got.length, x.seq * x.got.length);
            if (diff != null) {
                tally.mismatch("echo of message " + x.seq + " differs: " + diff);
                throw new Mismatch();
            }
        }
        x.seq++;
        return true;
    }

    /** The echo stream is out of step: this connection stops. */
    private static final class Mismatch extends RuntimeException {
        Mismatch() {
            super(null, null, false, false);
        }
    }
}
