package dev.sockit.engine;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.linux.InheritedSocket;
import dev.sockit.server.Listener;
import dev.sockit.service.StreamService;

import java.nio.channels.ServerSocketChannel;
import java.time.Instant;

/**
 * Drives the sessions of stream services over accepted connections. An engine knows nothing of any
 * service's protocol: it moves bytes between sockets and sessions, with back-pressure, half-close,
 * limits and a graceful stop.
 */
public interface Engine {

    /** Accepts on {@code acceptor} until it is closed, serving each connection with {@code service}. */
    void serve(Listener listener, StreamAcceptor acceptor, StreamService service);

    /**
     * Accepts on a JDK server channel until it is closed, setting the listener's socket options on
     * each connection; peers are shown as {@code [::1]:51234}, or for Unix sockets by their
     * credentials, {@code unix:(pid 1234 uid 0)}.
     */
    void serve(Listener listener, ServerSocketChannel channel, StreamService service);

    /**
     * Accepts on a listening socket this process was given (socket activation) until it stops, and
     * then closes our descriptor without shutting the socket down, which its owner (systemd) goes on
     * listening on.
     */
    void serve(Listener listener, InheritedSocket socket, StreamService service);

    /**
     * Closes every listener and returns once none can accept again. (The JDK finishes closing a
     * listener in the thread blocked on it, so closing alone may leave it accepting a moment longer.)
     */
    void stopAccepting();

    /** Waits until every connection has ended, or the deadline passes; true if they all ended. */
    boolean awaitIdle(Instant deadline) throws InterruptedException;

    /** Closes every connection still open and waits (briefly) until each has reported its end. */
    void abort();

    /**
     * Whether the calling thread is one this engine serves on (where sessions and events are called):
     * a stop called there must not wait for the engine, which would be waiting for itself.
     */
    boolean ownsCurrentThread();
}
