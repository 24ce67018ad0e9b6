package dev.sockit.service;

import java.nio.ByteBuffer;

/**
 * One connection's protocol state, driven by an engine. A session never blocks and never sees a
 * socket: it reacts to events and writes into a bounded {@link Output}. An engine calls a session's
 * methods one at a time, on one of its own threads (an event loop serving many connections, or the
 * connection's virtual thread), so a session needs no locks, and must not block: on an event loop
 * every other connection would wait.
 *
 * <p>Bytes a session leaves unconsumed in {@code in} (because its output was full) are offered again
 * once the output has drained; the engine reads nothing more from the peer meanwhile.
 */
public interface StreamSession {

    /** The connection is open. Daytime, qotd and time answer here and close; chargen asks for writable events. */
    default void opened(Output out) {
    }

    /** The peer sent bytes. Consume what can be handled now; leave the rest in {@code in}. */
    default void received(ByteBuffer in, Output out) {
        in.position(in.limit());
    }

    /** The output has room again (only while {@link Output#wantWritable} is on). */
    default void writable(Output out) {
    }

    /** The peer will send no more (it closed or half-closed). The default closes once all is sent. */
    default void peerClosed(Output out) {
        out.close();
    }
}
