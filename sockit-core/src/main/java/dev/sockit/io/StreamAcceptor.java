package dev.sockit.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Function;

/**
 * A listening stream socket as an engine drives it: the JDK's {@link ServerSocketChannel} ({@link #of})
 * for TCP and Unix paths, {@code dev.sockit.linux} for Linux abstract names.
 */
public interface StreamAcceptor extends Closeable {

    /**
     * Waits for the next connection.
     *
     * @throws java.nio.channels.ClosedChannelException when the acceptor is (or gets) closed
     */
    Accepted accept() throws IOException;

    boolean isOpen();

    /** True when accept, and the reads of what it accepts, block inside native calls (see {@link ByteStream}). */
    default boolean blocksInNativeCode() {
        return false;
    }

    /**
     * A new connection.
     *
     * @param peer how the peer is shown in logs and to services, e.g. {@code [::1]:51234} or {@code unix:(pid 1234 uid 0)}
     */
    record Accepted(ByteStream stream, String peer) {
    }

    /** An acceptor over a bound, blocking JDK server channel; {@code peerName} says how to show each peer. */
    static StreamAcceptor of(ServerSocketChannel channel, Function<SocketChannel, String> peerName) {
        return new StreamAcceptor() {
            @Override
            public Accepted accept() throws IOException {
                SocketChannel c = channel.accept();
                return new Accepted(ByteStream.of(c), peerName.apply(c));
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }

            @Override
            public String toString() {
                return channel.toString();
            }
        };
    }
}
