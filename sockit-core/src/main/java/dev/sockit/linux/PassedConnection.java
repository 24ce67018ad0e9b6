package dev.sockit.linux;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.CountDownLatch;

/**
 * The one connection systemd passes to each instance of a unit with {@code Accept=yes} (inetd's
 * {@code nowait}): an acceptor whose first accept gives that connection, and whose next one waits
 * until it is closed. The connection is ours alone, so ending it ends it for the client as any
 * connection's end does.
 */
public final class PassedConnection implements StreamAcceptor {
    private final InheritedSocket socket;
    private final CountDownLatch closed = new CountDownLatch(1);
    private UnixStreamSocket connection;

    private PassedConnection(InheritedSocket socket) {
        this.socket = socket;
    }

    /**
     * Takes a passed connected stream socket, and its descriptor.
     *
     * @throws IllegalArgumentException for a datagram socket or a listening one
     */
    public static PassedConnection adopt(InheritedSocket socket) {
        if (socket.transport() != Transport.TCP || socket.listening()) {
            throw new IllegalArgumentException("not a connected stream socket: " + socket);
        }
        return new PassedConnection(socket);
    }

    @Override
    public synchronized Accepted accept() throws IOException {
        if (connection == null && closed.getCount() > 0) {
            int fd = socket.take();
            connection = UnixStreamSocket.accepted(fd, this);
            return new Accepted(connection, socket.local() instanceof Endpoint.Unix ? connection.credentialsName() : peer(fd));
        }
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AsynchronousCloseException();
    }

    private static String peer(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SocketAddresses.STORAGE);
            return SocketAddresses.peerText(address, Libc.getpeername(fd, address));
        } catch (ErrnoException e) {
            return "(unknown)";
        }
    }

    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return closed.getCount() > 0;
    }

    /** Stops accepting; the connection, once taken, is the engine's to close. Before that, it is closed here. */
    @Override
    public void close() {
        closed.countDown();
        synchronized (this) {
            if (connection == null) {
                socket.close();
            }
        }
    }

    @Override
    public String toString() {
        return "passed connection " + socket;
    }
}
