package dev.sockit.engine;

import dev.sockit.net.SocketOptions;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.linux.ErrnoException;
import dev.sockit.linux.InheritedSocket;
import dev.sockit.linux.InheritedStreamListener;
import dev.sockit.server.Listener;
import dev.sockit.service.StreamService;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 *
 * <p>An acceptor whose sockets block inside native calls (Linux abstract names, served through
 * {@code dev.sockit.linux}) gets platform threads instead: a virtual thread blocked in a native call
 * holds its carrier, and a few idle connections would then stall every other virtual thread.
 */
public final class ThreadsEngine implements Engine {
    private static final long REAP_EVERY_MILLIS = 200;

    private final EngineConfig config;
    private final Connections connections;
    private final ScheduledExecutorService reaper;
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();

    /** A listener and the lock its thread holds while inside accept(). */
    private record Acceptor(StreamAcceptor socket, ReentrantLock inAccept) {
    }

    public ThreadsEngine(EngineConfig config) {
        this.config = config;
        this.connections = Connections.of(config);
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sockit-reaper");
            t.setDaemon(true);
            return t;
        });
        reaper.scheduleWithFixedDelay(this::reap, REAP_EVERY_MILLIS, REAP_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Serves a JDK listener: each accepted connection gets the listener's socket options, and its
     * peer is shown as {@code [::1]:51234}, or for a Unix socket by its credentials, {@code unix:(pid 1234 uid 0)}.
     */
    @Override
    public void serve(Listener listener, ServerSocketChannel channel, StreamService service) {
        serve(listener, StreamAcceptor.of(channel, c -> configure(listener, c)), service);
    }

    private String configure(Listener listener, SocketChannel channel) {
        SocketOptions options = listener.isTcp() ? listener.options().forAcceptedTcp() : listener.options();
        if (!options.isDefault()) {
            try {
                options.applyTo(channel, listener.isTcp());
            } catch (IOException e) {
                if (!listener.options().isDefault()) { // the default TCP_NODELAY fails only on a connection already reset
                    config.events().warning("cannot set " + listener.options() + " on a connection to " + listener + ": " + e.getMessage());
                }
            }
        }
        return PeerNames.of(channel);
    }

    @Override
    public void serve(Listener listener, StreamAcceptor acceptor, StreamService service) {
        Acceptor a = new Acceptor(acceptor, new ReentrantLock());
        acceptors.add(a);
        threads(acceptor).name("sockit-accept " + listener).start(() -> acceptLoop(listener, a, service));
    }

    /** Serves a listening socket passed by socket activation, accepted through libc as an abstract name's is (a platform thread each). */
    @Override
    public void serve(Listener listener, InheritedSocket socket, StreamService service) {
        try {
            serve(listener, InheritedStreamListener.adopt(socket), service);
        } catch (ErrnoException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread.Builder threads(StreamAcceptor acceptor) {
        return acceptor.blocksInNativeCode() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
    }

    @Override
    public void stopAccepting() {
        for (Acceptor a : acceptors) {
            try {
                a.socket().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        // All closed first, then waited for: an acceptor may take a moment to see it (a passed socket's, up to its poll's wake-up).
        for (Acceptor a : acceptors) {
            a.inAccept().lock(); // the acceptor has left accept(), and the socket is closed
            a.inAccept().unlock();
        }
        connections.reportRefusals();
    }

    @Override
    public boolean ownsCurrentThread() {
        // Only a connection's own thread would wait for itself (an accept loop waits for none, and in
        // iterative mode it serves as the connection's thread). Looked for among the open connections,
        // since a stop is rare, rather than marked on each thread: a ScopedValue's frames would stay on
        // the heap with every parked idle connection.
        Thread current = Thread.currentThread();
        for (Connections.Member m : connections.live()) {
            if (m instanceof BlockingConnection c && c.isServedBy(current)) {
                return true;
            }
        }
        return false;
    }

    private void acceptLoop(Listener listener, Acceptor acceptor, StreamService service) {
        AcceptBackoff backoff = new AcceptBackoff(config.events(), listener.toString());
        Thread.Builder connectionThreads = threads(acceptor.socket());
        BlockingConnection.Shared shared = new BlockingConnection.Shared(listener, service, connections, config.events(), config.bufferSize(),
                config.busyPoll().toNanos());
        while (true) {
            // No token is held while accept waits: a token held by each idle listener would be a
            // connection fewer for the others (with a limit below the number of listeners, some would
            // never serve). At the limit, the connection accepted waits for one below, and says so.
            StreamAcceptor.Accepted accepted;
            try {
                accepted = accept(acceptor);
            } catch (ClosedChannelException e) {
                return; // the server is stopping
            } catch (IOException e) {
                try {
                    backoff.failed(e);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            try {
                // At the limit this connection waits, accepted, as it would have in the backlog (one at
                // most per listener), looking now and then whether the server has stopped, which closes a
                // backlog's connections too; a wait is said (Connections, at most every 10 s).
                boolean taken;
                do {
                    taken = connections.tryAcquire(100);
                } while (!taken && acceptor.socket().isOpen());
                if (!acceptor.socket().isOpen()) {
                    closeQuietly(accepted); // not served after the stop
                    if (taken) {
                        connections.release(null);
                    }
                    return;
                }
            } catch (InterruptedException e) {
                closeQuietly(accepted);
                return;
            }
            if (!connections.admit(accepted.peer())) {
                backoff.succeeded();
                closeQuietly(accepted); // not allowed by the access list, or its source has as many open as the per-source limit allows
                connections.release(null);
                continue;
            }
            BlockingConnection c = null;
            try {
                c = new BlockingConnection(shared, accepted.stream(), accepted.peer());
                connections.add(c);
                if (!config.iterative()) {
                    // Unnamed, as virtual threads usually are: a name per connection is memory an idle
                    // connection keeps; the connection's log line names the peer.
                    connectionThreads.start(c);
                    backoff.succeeded(); // only now: a connection that got no thread is no recovery
                    continue;
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                // Memory ran out (or a thread could not start) between the accept and the connection's
                // own thread: that connection is dropped, and the acceptor, which would otherwise die
                // and leave the listener open but never served, backs off and goes on.
                notServed(accepted, c);
                try {
                    backoff.failed(new IOException("cannot serve the connection from " + accepted.peer() + ": " + e, e));
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            backoff.succeeded();
            c.run();
        }
    }

    private static void closeQuietly(StreamAcceptor.Accepted accepted) {
        try {
            accepted.stream().close();
        } catch (IOException | RuntimeException ignored) {
            // closed as far as it can be
        }
    }

    /** Undoes what the accept loop did for a connection it could not hand to a thread. */
    private void notServed(StreamAcceptor.Accepted accepted, BlockingConnection c) {
        closeQuietly(accepted);
        if (c != null) {
            connections.closed(c);
            connections.release(c);
        } else {
            connections.abandoned(accepted.peer());
        }
    }

    private static StreamAcceptor.Accepted accept(Acceptor a) throws IOException {
        a.inAccept().lock();
        try {
            return a.socket().accept();
        } finally {
            a.inAccept().unlock();
        }
    }

    /**
     * Ends lingering closes that took too long, and connections idle past the timeout. It walks the
     * live set rather than a copy: a copy of 10,000 connections five times a second was ~3 MB/s of
     * garbage while every connection sat idle, which filled the young generation and kept its pages resident.
     */
    private void reap() {
        long now = System.nanoTime();
        long idle = config.idleTimeout().toNanos();
        for (Connections.Member m : connections.live()) {
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
