package dev.sockit.engine;

import dev.sockit.net.Addresses;
import dev.sockit.server.Listener;
import dev.sockit.service.StreamService;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The {@code threads} engine: one virtual thread per connection, blocking reads and writes. Code
 * that reads like the classic fork-per-connection servers, and the reference for correctness.
 * With {@link EngineConfig#iterative()} each listener serves one connection at a time.
 */
public final class ThreadsEngine implements Engine {
    private static final long REAP_EVERY_MILLIS = 200;

    private final EngineConfig config;
    private final Connections connections;
    private final ScheduledExecutorService reaper;

    public ThreadsEngine(EngineConfig config) {
        this.config = config;
        this.connections = new Connections(config.maxConnections());
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sockit-reaper");
            t.setDaemon(true);
            return t;
        });
        reaper.scheduleWithFixedDelay(this::reap, REAP_EVERY_MILLIS, REAP_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void serve(Listener listener, ServerSocketChannel channel, StreamService service) {
        Thread.ofVirtual().name("sockit-accept " + listener).start(() -> acceptLoop(listener, channel, service));
    }

    private void acceptLoop(Listener listener, ServerSocketChannel server, StreamService service) {
        AcceptBackoff backoff = new AcceptBackoff(config.events(), listener.toString());
        while (server.isOpen()) {
            try {
                connections.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel channel;
            try {
                channel = server.accept();
                backoff.succeeded();
            } catch (ClosedChannelException e) {
                connections.release(null);
                return; // the server is stopping
            } catch (IOException e) {
                connections.release(null);
                try {
                    backoff.failed(e);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            noDelay(channel);
            BlockingConnection c = new BlockingConnection(channel, listener, peerOf(channel), config.events(), config.bufferSize());
            connections.add(c);
            if (config.iterative()) {
                c.run(service, connections);
            } else {
                // Unnamed, as virtual threads usually are: a name per connection is memory an idle
                // connection keeps; the connection's log line names the peer.
                Thread.ofVirtual().start(() -> c.run(service, connections));
            }
        }
    }

    /**
     * Sends each flush at once, as Netty and most servers do. The engine writes a session's whole
     * output in one go, so Nagle's algorithm has nothing to coalesce; it could only hold a small reply
     * back behind an unacknowledged one.
     */
    private static void noDelay(SocketChannel channel) {
        try {
            if (!(channel.getLocalAddress() instanceof UnixDomainSocketAddress)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
        } catch (IOException ignored) {
            // the peer is already gone; the connection's first read will say so
        }
    }

    private static String peerOf(SocketChannel channel) {
        try {
            SocketAddress a = channel.getRemoteAddress();
            if (a instanceof UnixDomainSocketAddress u && u.getPath().toString().isEmpty()) {
                return "unix:(unnamed)";
            }
            return Addresses.format(a);
        } catch (IOException e) {
            return "(gone)";
        }
    }

    /** Ends lingering closes that took too long, and connections idle past the timeout. */
    private void reap() {
        long now = System.nanoTime();
        long idle = config.idleTimeout().toNanos();
        for (Connections.Member m : connections.snapshot()) {
            BlockingConnection c = (BlockingConnection) m;
            long linger = c.lingerDeadline;
            if (linger != 0 && now - linger > 0) {
                c.closeChannel("closed");
            } else if (idle > 0 && now - c.lastActivity > idle) {
                c.closeChannel("idle timeout");
            }
        }
    }

    @Override
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        return connections.awaitEmpty(deadline);
    }

    @Override
    public void abort() {
        connections.closeAll("server stopping");
        try {
            connections.awaitEmpty(Instant.now().plusSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reaper.shutdownNow();
    }
}
