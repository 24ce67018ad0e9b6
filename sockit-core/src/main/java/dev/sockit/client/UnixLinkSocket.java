package dev.sockit.client;

import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.UnixSocketAddress;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/**
 * A Unix datagram socket connected to its peer. A datagram server can answer only a sender with an
 * address, so a client's socket is bound first, by Linux autobind: a fresh abstract name from the
 * kernel, with no file to create or remove. Connected, the kernel refuses every other sender, and a
 * send waits while the peer's queue is full (bounded by the send timeout) instead of losing the datagram.
 */
final class UnixLinkSocket implements LinkSocket {
    private final UnixDatagramSocket socket;
    private final UnixSocketAddress peer;
    private final ByteBuffer buffer = ByteBuffer.allocate(UnixDatagramSocket.MAX_DATAGRAM);

    UnixLinkSocket(UnixDatagramSocket connected, UnixSocketAddress peer) {
        this.socket = connected;
        this.peer = peer;
    }

    /**
     * An autobound socket connected to {@code peer}.
     *
     * @param sendTimeout how long a send may wait for room in the peer's queue
     * @throws dev.sockit.linux.ErrnoException when nothing is there to connect to (ENOENT, ECONNREFUSED) or
     *                                         it is a stream socket (EPROTOTYPE)
     */
    static UnixLinkSocket open(UnixSocketAddress peer, SocketOptions options, Duration sendTimeout) throws IOException {
        UnixDatagramSocket s = UnixDatagramSocket.autobind();
        try {
            s.apply(options);
            s.setSendTimeout(sendTimeout);
            s.connect(peer);
            return new UnixLinkSocket(s, peer);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void send(ByteBuffer datagram) throws IOException {
        socket.write(datagram);
    }

    @Override
    public byte[] receive(Duration wait) throws IOException {
        socket.setReceiveTimeout(wait.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : wait);
        try {
            socket.receive(buffer.clear()); // a datagram longer than the buffer is cut to it, as UDP's would be
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    @Override
    public SocketAddress peer() {
        return peer;
    }

    @Override
    public String transport() {
        return "unixgram";
    }

    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    @Override
    public void close() {
        socket.close();
    }
}
