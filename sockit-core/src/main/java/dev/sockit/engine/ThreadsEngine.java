package dev.sockit.engine;

import dev.sockit.net.Addresses;
import dev.sockit.server.Listener;
import dev.sockit.service.StreamService;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
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
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();

    /** A listener and the lock its thread holds while inside accept(). */
    private record Acceptor(ServerSocketChannel channel, ReentrantLock inAccept) {
    }

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
        Acceptor a = new Acceptor(channel, new ReentrantLock());
        acceptors.add(a);
        Thread.ofVirtual().name("sockit-accept " + listener).start(() -> acceptLoop(listener, a, service));
    }

    @Override
    public void stopAccepting() {
        for (Acceptor a : acceptors) {
            try {
                a.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
            a.inAccept().lock(); // the acceptor has left accept(), and the socket is closed
            a.inAccept().unlock();
        }
    }

    private void acceptLoop(Listener listener, Acceptor acceptor, StreamService service) {
        AcceptBackoff backoff = new AcceptBackoff(config.events(), listener.toString());
        while (true) {
            try {
                connections.acquire();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel channel;
            try {
                channel = accept(acceptor);
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
            backoff.succeeded();
            if (!listener.options().isDefault()) {
                try {
                    listener.options().applyTo(channel, listener.isTcp());
                } catch (IOException e) {
                    config.events().warning("cannot set " + listener.options() + " on a connection to " + listener + ": " + e.getMessage());
                }
            }
            BlockingConnection c = new BlockingConnection(channel, listener, peerOf(channel), config.events(), config.bufferSize());
            connections.add(c);
            if (config.iterative()) {
                c.run(service, connections);
            } else {
                Thread.ofVirtual().name("sockit " + c).start(() -> c.run(service, connections));
            }
        }
    }

    private static SocketChannel accept(Acceptor a) throws IOException {
        a.inAccept().lock();
        try {
            return a.channel().accept();
        } finally {
            a.inAccept().unlock();
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
