package dev.sockit.io;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A bound datagram socket as a datagram engine drives it, whatever its family: UDP through the JDK's
 * {@link DatagramChannel} ({@link #of}), Unix datagram through {@code dev.sockit.linux}. Senders are
 * JDK addresses either way ({@link java.net.InetSocketAddress}, {@link java.net.UnixDomainSocketAddress}),
 * so nothing above this type can tell which socket carried a datagram.
 */
public interface DatagramPort extends Closeable {

    /**
     * Waits for the next datagram and puts as much of it as fits into {@code dst}.
     *
     * @return its sender and its whole length, which exceeds what was stored when {@code dst} was too small
     * @throws java.nio.channels.AsynchronousCloseException when the port is closed while waiting
     */
    Received receive(ByteBuffer dst) throws IOException;

    /**
     * Sends {@code src} as one datagram to {@code to}, never waiting on the receiver.
     *
     * @return false if it was not sent because the receiver's queue is full
     */
    boolean send(ByteBuffer src, SocketAddress to) throws IOException;

    /** The address the port is bound to. */
    SocketAddress localAddress() throws IOException;

    /**
     * True when {@link #receive} blocks inside a native call. A virtual thread blocked there would hold
     * its carrier thread for as long, so an engine gives such a port a platform thread of its own.
     */
    default boolean blocksInNativeCode() {
        return false;
    }

    /** One datagram's sender and whole length. */
    record Received(SocketAddress sender, int length) {
    }

    /** A port over a bound, blocking JDK datagram channel. */
    static DatagramPort of(DatagramChannel channel) {
        return new DatagramPort() {
            @Override
            public Received receive(ByteBuffer dst) throws IOException {
                int before = dst.position();
                SocketAddress from = channel.receive(dst);
                return new Received(from, dst.position() - before);
            }

            @Override
            public boolean send(ByteBuffer src, SocketAddress to) throws IOException {
                // A UDP send waits only for room in our own socket buffer, never for the receiver.
                return channel.send(src, to) > 0 || !src.hasRemaining();
            }

            @Override
            public SocketAddress localAddress() throws IOException {
                return channel.getLocalAddress();
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
