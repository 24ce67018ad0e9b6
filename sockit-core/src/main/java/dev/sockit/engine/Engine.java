package dev.sockit.engine;

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

    /** Accepts on {@code channel} until it is closed, serving each connection with {@code service}. */
    void serve(Listener listener, ServerSocketChannel channel, StreamService service);

    /**
     * Closes every listener and returns once none can accept again. (The JDK finishes closing a
     * listener in the thread blocked on it, so closing alone may leave it accepting a moment longer.)
     */
    void stopAccepting();

    /** Waits until every connection has ended, or the deadline passes; true if they all ended. */
    boolean awaitIdle(Instant deadline) throws InterruptedException;

    /** Closes every connection still open and waits (briefly) until each has reported its end. */
    void abort();
}
