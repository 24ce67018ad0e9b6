package dev.sockit.linux;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A listening stream socket passed by socket activation (TCP or Unix), accepted through libc for
 * an engine that blocks in accept, such as the threads engine; each connection is a
 * {@link UnixStreamSocket} (a libc socket of any family), shown as {@code 192.0.2.7:51234} or by
 * its peer's credentials.
 *
 * <p>The socket is systemd's too: closing never shuts it down, since that would end it for systemd
 * as well. An accept waits in poll(2) for at most {@link Descriptor#WAKE_MILLIS} at a time, to
 * see whether the listener was closed meanwhile.
 */
public final class InheritedStreamListener implements StreamAcceptor {
    private final InheritedSocket socket;
    private final Descriptor fd;
    private final boolean unix;

    private InheritedStreamListener(InheritedSocket socket) {
        this.socket = socket;
        this.unix = socket.local() instanceof Endpoint.Unix;
        this.fd = new Descriptor(socket.take(), () -> { }, false);
    }

    /**
     * Takes a passed listening stream socket, and its descriptor (closed by {@link #close()} from now on).
     *
     * @throws IllegalArgumentException for a datagram socket or one that does not listen
     */
    public static InheritedStreamListener adopt(InheritedSocket socket) throws ErrnoException {
        if (socket.transport() != Transport.TCP || !socket.listening()) {
            throw new IllegalArgumentException("not a listening stream socket: " + socket);
        }
        // poll says a connection is there, but its client may reset it before we take it: then accept must not wait.
        Libc.setNonBlocking(socket.fd());
        return new InheritedStreamListener(socket);
    }

    @Override
    public Accepted accept() throws IOException {
        int d = fd.enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.newCallState(arena);
            MemorySegment address = arena.allocate(SocketAddresses.STORAGE);
            MemorySegment length = arena.allocate(JAVA_INT);
            while (true) {
                fd.awaitInput(d);
                length.set(JAVA_INT, 0, SocketAddresses.STORAGE);
                int client = Libc.accept(state, d, address, length, Libc.SOCK_CLOEXEC); // a blocking connection, whatever the listener

                if (client < 0) {
                    int errno = -client;
                    if (passing(errno)) {
                        continue;
                    }
                    throw new ErrnoException("accept", errno);
                }
                UnixStreamSocket stream = UnixStreamSocket.accepted(client, this);
                return new Accepted(stream, unix ? stream.credentialsName() : SocketAddresses.peerText(address, length.get(JAVA_INT, 0)));
            }
        } finally {
            fd.leave();
        }
    }

    /**
     * Nothing to take after all (EAGAIN: the client reset it after poll said it was there), or a
     * failure that concerns only the connection being accepted, as accept(2) says of Linux: try again.
     */
    private static boolean passing(int errno) {
        return errno == Errno.EAGAIN.code() || errno == Errno.EINTR.code() || errno == Errno.ECONNABORTED.code()
                || errno == 71 /* EPROTO */ || errno == Errno.EPERM.code() /* a firewall rule refused it */;
    }

    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return !fd.isClosed();
    }

    /** Our descriptor is released once an accept under way has seen this; the socket goes on listening, for systemd. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "passed " + socket;
    }
}
