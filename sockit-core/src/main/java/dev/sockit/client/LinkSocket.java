package dev.sockit.client;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/** The socket under a {@link DatagramLink}: it sends to one peer and receives from that peer only. */
interface LinkSocket extends AutoCloseable {

    /** Sends one datagram (the buffer's remaining bytes). */
    void send(ByteBuffer datagram) throws IOException;

    /**
     * The next datagram from the peer, or null if none came within {@code wait}. One thread receives at
     * a time.
     */
    byte[] receive(Duration wait) throws IOException;

    SocketAddress peer();

    /** {@code udp} or {@code unixgram}, for messages. */
    String transport();

    /** True when sends and receives block inside native code (see {@link Threads}). */
    boolean blocksInNativeCode();

    @Override
    void close() throws IOException;
}
