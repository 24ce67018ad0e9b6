package dev.sockit.engine.epoll;

import dev.sockit.engine.AcceptBackoff;
import dev.sockit.linux.ErrnoException;
import dev.sockit.net.SocketOptions;
import dev.sockit.server.Listener;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.StreamService;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One listening socket as the epoll engine serves it: its descriptor (non-blocking), what to serve
 * on it, how to set up and name what it accepts, and how to close it. Every loop that accepts on it
 * has an {@link AcceptHandler} of its own; an iterative listener has exactly one, on one loop.
 */
final class Listening {
    final Listener listener;
    final StreamService service;
    final int fd;
    /** A Unix stream listener: peers are named by their credentials, and TCP options do not apply. */
    final boolean unix;
    /** The per-connection options to set, or null when there are none (no system call at all). */
    final SocketOptions options;
    /** SO_LINGER above zero makes close() wait; such closes are handed to another thread. */
    final boolean lingeringClose;
    final boolean iterative;
    final List<AcceptHandler> handlers = new CopyOnWriteArrayList<>();
    private final AutoCloseable closer;
    private final AcceptBackoff backoff;
    private volatile boolean failing;
    /** Connections open from an iterative listener: touched only on its one loop. */
    int active;

    Listening(Listener listener, StreamService service, int fd, boolean unix, boolean iterative, ServerEvents events, AutoCloseable closer) {
        this.listener = listener;
        this.service = service;
        this.fd = fd;
        this.unix = unix;
        this.options = listener.options().isDefault() ? null : listener.options();
        this.lingeringClose = options != null && options.linger() != null && !options.linger().isZero() && !unix;
        this.iterative = iterative;
        this.closer = closer;
        this.backoff = new AcceptBackoff(events, listener.toString());
    }

    /** True for TCP over IP, where TCP_NODELAY and the TCP options apply. */
    boolean tcp() {
        return !unix;
    }

    /**
     * Reports a failed accept (at most once per interval, for all loops together) and returns how
     * long to pause. The loops share one backoff, so a listener failing on every loop still says so once.
     */
    long failed(ErrnoException e) {
        failing = true;
        synchronized (backoff) {
            return backoff.delayAfter(e);
        }
    }

    /** After a successful accept: says "recovered" once if accepts had been failing. */
    void succeeded() {
        if (failing) {
            synchronized (backoff) {
                backoff.succeeded();
            }
            failing = false;
        }
    }

    void close() {
        try {
            closer.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    @Override
    public String toString() {
        return listener.toString();
    }
}
