package dev.sockit.linux;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.net.UnixSocketAddress;

import java.io.IOException;

/**
 * A listening Unix stream socket made through libc: what serves {@code unix:@name} (Linux abstract
 * names), which the JDK's {@code ServerSocketChannel} cannot bind. Each accepted connection is a
 * {@link UnixStreamSocket} shown by its peer's credentials, e.g. {@code unix:(pid 1234 uid 0)}.
 */
public final class UnixStreamListener implements StreamAcceptor {
    private final Descriptor fd;
    private final UnixSocketAddress local;

    private UnixStreamListener(Descriptor fd, UnixSocketAddress local) {
        this.fd = fd;
        this.local = local;
    }

    public static UnixStreamListener bind(UnixSocketAddress address, int backlog) throws IOException {
        Libc.requireAvailable("Unix stream sockets");
        Descriptor d = new Descriptor(Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0), () -> { });
        try {
            UnixSocketAddress bound = SocketNames.bind(d, address);
            int raw = d.enter();
            try {
                Libc.listen(raw, backlog);
            } finally {
                d.leave();
            }
            return new UnixStreamListener(d, bound);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Waits for a connection. Closing the listener from another thread ends the wait with AsynchronousCloseException. */
    @Override
    public Accepted accept() throws IOException {
        int d = fd.enter();
        int client;
        try {
            client = Libc.accept(d, Libc.SOCK_CLOEXEC);
        } catch (ErrnoException e) {
            fd.throwIfClosed();
            throw e;
        } finally {
            fd.leave();
        }
        UnixStreamSocket s = UnixStreamSocket.accepted(client, this);
        return new Accepted(s, s.credentialsName());
    }

    /**
     * For an event loop that accepts on this listener itself: the descriptor, made non-blocking and
     * held open (a {@link #close()} meanwhile shuts the socket down but keeps the number) until
     * {@link #releasePollingDescriptor()}. The blocking {@link #accept()} is not for use after this.
     */
    public int pollingDescriptor() throws IOException {
        int d = fd.enter();
        try {
            Libc.setNonBlocking(d);
            return d;
        } catch (IOException | RuntimeException e) {
            fd.leave();
            throw e;
        }
    }

    /** Gives back what {@link #pollingDescriptor()} took: the descriptor is released once the listener is closed. */
    public void releasePollingDescriptor() {
        fd.leave();
    }

    public UnixSocketAddress localAddress() {
        return local;
    }

    @Override
    public boolean blocksInNativeCode() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return !fd.isClosed();
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "unix listener " + local;
    }
}
