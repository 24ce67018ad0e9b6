package dev.sockit.client;

import dev.sockit.io.StreamAcceptor;
import dev.sockit.linux.PeerCredentials;
import dev.sockit.linux.UnixStreamListener;
import dev.sockit.linux.UnixStreamSocket;
import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.server.BindAddress;
import dev.sockit.server.ListenException;
import dev.sockit.server.SocketFiles;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The listening side of {@code sockit listen}: a stream socket (TCP or Unix) bound to an endpoint that
 * accepts one connection, or serves each connection on a thread of its own, as the classic
 * concurrent server forks a child per client. TCP and Unix paths listen through the JDK; Linux
 * abstract names, which the JDK cannot bind, through {@code dev.sockit.linux}.
 */
public final class Acceptor implements AutoCloseable {
    /** The JDK's listener (TCP, Unix paths), or null. */
    private final ServerSocketChannel channel;
    /** The libc listener (Linux abstract names), or null. */
    private final UnixStreamListener listener;
    private final Endpoint requested;
    private final Endpoint bound;
    private final SocketOptions options;

    private Acceptor(ServerSocketChannel channel, UnixStreamListener listener, Endpoint requested, Endpoint bound, SocketOptions options) {
        this.channel = channel;
        this.listener = listener;
        this.requested = requested;
        this.bound = bound;
        this.options = options;
    }

    /**
     * Binds a listening socket.
     *
     * @throws ListenException when it cannot; the message says why and what to do
     */
    public static Acceptor bind(Endpoint endpoint, int backlog) throws ListenException {
        return bind(endpoint, backlog, SocketOptions.DEFAULTS);
    }

    /** Binds a listening socket whose accepted connections get {@code options}. */
    public static Acceptor bind(Endpoint endpoint, int backlog, SocketOptions options) throws ListenException {
        UnsupportedTransportException.check(Transport.TCP, endpoint);
        if (endpoint instanceof Endpoint.Unix u) {
            SocketFiles.prepare(Transport.TCP, u); // as serve: a missing directory named, a stale file replaced, any other file left
        }
        if (endpoint instanceof Endpoint.Unix u && u.abstractName()) {
            try {
                UnixStreamListener l = UnixStreamListener.bind(UnixSocketAddress.of(u), backlog);
                return new Acceptor(null, l, endpoint, l.localAddress().toEndpoint(), options);
            } catch (IOException e) {
                throw ListenException.of(Transport.TCP, endpoint, e);
            }
        }
        ServerSocketChannel ch = null;
        try {
            java.net.SocketAddress address = endpoint instanceof Endpoint.Inet i ? BindAddress.of(Transport.TCP, i) : endpoint.toSocketAddress();
            ch = endpoint instanceof Endpoint.Inet i
                    ? BindAddress.openTcp(i, (java.net.InetSocketAddress) address) : ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            if (endpoint instanceof Endpoint.Inet) {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                options.applyToListener(ch);
            }
            ch.bind(address, backlog);
            return new Acceptor(ch, null, endpoint, Endpoint.of(ch.getLocalAddress()), options);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // failed anyway
                }
            }
            if (e instanceof ListenException said) {
                throw said;
            }
            throw ListenException.of(Transport.TCP, endpoint, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    /** The address really bound (port 0 resolved). */
    public Endpoint endpoint() {
        return bound;
    }

    /** Waits for one connection. */
    public Connection accept(Duration idleTimeout) throws IOException {
        if (listener != null) {
            StreamAcceptor.Accepted a = listener.accept();
            UnixStreamSocket s = (UnixStreamSocket) a.stream();
            try {
                s.apply(options);
            } catch (IOException e) {
                s.close();
                throw e;
            }
            return new Connection(s, a.peer(), idleTimeout);
        }
        SocketChannel c = channel.accept();
        try {
            options.applyTo(c, bound instanceof Endpoint.Inet);
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return new Connection(c, peerOf(c), idleTimeout, List.of());
    }

    private boolean isOpen() {
        return listener != null ? listener.isOpen() : channel.isOpen();
    }

    /**
     * Accepts until {@link #close()}, each connection handled on its own thread (virtual, or a platform
     * thread for a socket made through libc); at most {@code maxConcurrent} at once (more wait in the
     * kernel's backlog).
     *
     * @param problems told of each connection that failed, in one line naming its peer
     */
    public void serve(ConnectionHandler handler, int maxConcurrent, Duration idleTimeout, Consumer<String> problems) throws IOException {
        Semaphore slots = new Semaphore(maxConcurrent);
        // Where the handlers print (stdout) cannot be written any more: nothing served from now on would be seen.
        AtomicReference<Relay.OutputClosedException> outputGone = new AtomicReference<>();
        while (true) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Connection c;
            try {
                c = accept(idleTimeout);
            } catch (IOException e) {
                slots.release();
                if (outputGone.get() != null) {
                    throw outputGone.get();
                }
                if (e instanceof ClosedChannelException || !isOpen()) {
                    return; // closed: we are done
                }
                problems.accept("accept on " + bound + " failed: " + e.getMessage());
                continue;
            }
            Threads.start(c.blocksInNativeCode(), "sockit-listen " + c.peer(), () -> {
                try {
                    handler.handle(c);
                } catch (IOException | RuntimeException e) {
                    Throwable cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
                    if (cause instanceof Relay.OutputClosedException gone) {
                        outputGone.compareAndSet(null, gone);
                        try {
                            close(); // ends the accept loop, which reports it
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    } else {
                        problems.accept(c.peer() + ": " + (e instanceof IOException ? e.getMessage() : e.toString()));
                    }
                } finally {
                    c.closeQuietly();
                    slots.release();
                }
            });
        }
    }

    /**
     * How an accepted peer is shown: its address, or for a Unix socket, whose client is nearly always
     * unnamed, the process and user behind it, {@code unix:(pid 1234 uid 0)}, as the server shows it.
     */
    static String peerOf(SocketChannel c) {
        try {
            SocketAddress a = c.getRemoteAddress();
            if (a instanceof UnixDomainSocketAddress u) {
                String who = PeerCredentials.describe(c).orElse("unnamed");
                String path = u.getPath().toString();
                return path.isEmpty() ? "unix:(" + who + ")" : "unix:" + path + " (" + who + ")";
            }
            return Addresses.format(a);
        } catch (IOException e) {
            return "(gone)";
        }
    }

    /** Stops listening; a Unix socket's file is removed. */
    @Override
    public void close() throws IOException {
        if (listener != null) {
            listener.close();
            return; // an abstract name has no file
        }
        channel.close();
        if (requested instanceof Endpoint.Unix u && !u.abstractName()) {
            Files.deleteIfExists(u.file());
        }
    }
}
