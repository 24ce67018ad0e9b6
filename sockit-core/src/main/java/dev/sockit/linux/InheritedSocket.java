package dev.sockit.linux;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.Closeable;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A socket this process was given by socket activation ({@link SocketActivation}). Closing it closes
 * our descriptor, once, and never shuts the socket down: systemd holds the same socket, and goes on
 * listening on it after we stop, to start us again at the next client. A shutdown would end that.
 */
public final class InheritedSocket implements Closeable {
    private final int fd;
    private final String name;
    private final Transport transport;
    private final boolean listening;
    private final SocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();

    InheritedSocket(int fd, String name, Transport transport, boolean listening, SocketAddress local) {
        this.fd = fd;
        this.name = name;
        this.transport = transport;
        this.listening = listening;
        this.local = local;
    }

    public int fd() {
        return fd;
    }

    /** Its name from LISTEN_FDNAMES (a .socket unit's FileDescriptorName=); empty when none was given. */
    public String name() {
        return name;
    }

    /** TCP for a stream socket (TCP or Unix stream), UDP for a datagram socket (UDP or Unix datagram). */
    public Transport transport() {
        return transport;
    }

    /** For a stream socket, whether it listens; a connected one comes of a unit with Accept=yes. */
    public boolean listening() {
        return listening;
    }

    /** The address it is bound to. */
    public Endpoint local() {
        return Endpoint.of(local);
    }

    /** Hands our descriptor over to whatever closes it from now on ({@link #close()} then does nothing). */
    int take() {
        if (!closed.compareAndSet(false, true)) {
            throw new IllegalStateException("already closed or taken: " + this);
        }
        return fd;
    }

    /** Closes our descriptor, once; the socket itself stays with systemd. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                Libc.close(fd);
            } catch (ErrnoException e) {
                // ours is gone either way
            }
        }
    }

    /** {@code descriptor 3 (echo), tcp [::]:7}. */
    @Override
    public String toString() {
        return "descriptor " + fd + (name.isEmpty() ? "" : " (" + name + ")") + ", " + transport.label(local()) + " " + local();
    }
}
