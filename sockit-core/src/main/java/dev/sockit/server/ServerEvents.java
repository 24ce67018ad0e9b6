package dev.sockit.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * What a server reports while it runs. The CLI prints these as text or JSON; a program embedding
 * sockit may route them anywhere. The default sends them to {@link System.Logger}.
 */
public interface ServerEvents {

    /** A listener is bound and serving. */
    default void listening(Listener listener) {
    }

    /** A connection ended. Called once per connection, from the connection's own thread. */
    default void connectionEnded(ConnectionRecord record) {
    }

    /**
     * A datagram listener's counts: at most once per report interval while datagrams come in, and
     * its totals on stop. Called from the server's reporting thread.
     */
    default void datagrams(DatagramRecord record) {
    }

    /** Something went wrong that the server survives (accept failures, a session's bug); rate-limited by the caller. */
    default void warning(String message) {
    }

    /**
     * A service threw: its session's connection is closed, or its datagram is not answered, and the
     * server goes on. {@code message} says where; {@code cause} carries the stack an embedder needs to
     * find its bug. By default, {@link #warning(String)} with the message alone.
     */
    default void warning(String message, Throwable cause) {
        warning(message);
    }

    /** Events as {@link System.Logger} records under the name {@code dev.sockit.server}. */
    static ServerEvents logging() {
        Logger log = System.getLogger("dev.sockit.server");
        return new ServerEvents() {
            @Override
            public void listening(Listener l) {
                log.log(Level.INFO, "listening: {0}", l);
            }

            @Override
            public void connectionEnded(ConnectionRecord r) {
                log.log(Level.DEBUG, () -> r.listener().service().name() + " " + r.peer() + " in=" + r.bytesIn()
                        + " out=" + r.bytesOut() + " " + r.duration().toMillis() + "ms " + r.outcome());
            }

            @Override
            public void datagrams(DatagramRecord r) {
                log.log(Level.DEBUG, () -> r.listener() + (r.totals() ? " totals" : "") + " received=" + r.received()
                        + " answered=" + r.answered() + " dropped=" + r.droppedTotal() + " " + r.droppedText());
            }

            @Override
            public void warning(String message) {
                log.log(Level.WARNING, message);
            }

            @Override
            public void warning(String message, Throwable cause) {
                log.log(Level.WARNING, message, cause);
            }
        };
    }
}
