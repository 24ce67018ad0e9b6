package dev.sockit.server;

import dev.sockit.engine.Engine;
import dev.sockit.engine.EngineConfig;
import dev.sockit.engine.ThreadsEngine;
import dev.sockit.net.Endpoint;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves services on endpoints until closed. A program starts one in a few lines:
 *
 * <pre>{@code
 * try (Server server = Server.builder()
 *         .serve(Service.named("echo").orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0"))
 *         .start()) {
 *     System.out.println(server.listeners());   // the real ports
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops accepting at once, lets open connections finish for the grace period,
 * then closes the rest.
 */
public final class Server implements AutoCloseable {
    private final List<Listener> listeners;
    private final List<ServerSocketChannel> channels;
    private final List<Path> socketFiles;
    private final Engine engine;
    private final Duration grace;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean accepting = new AtomicBoolean(true);

    private Server(List<Listener> listeners, List<ServerSocketChannel> channels, List<Path> socketFiles, Engine engine, Duration grace) {
        this.listeners = List.copyOf(listeners);
        this.channels = channels;
        this.socketFiles = socketFiles;
        this.engine = engine;
        this.grace = grace;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every listener, with the address it really bound (port 0 resolved). */
    public List<Listener> listeners() {
        return listeners;
    }

    /** The bound endpoint of the first listener: handy when serving one service on port 0. */
    public Endpoint endpoint() {
        return listeners.getFirst().bound();
    }

    /**
     * Stops accepting at once, waits up to {@code grace} for open connections to finish, then closes
     * the rest. Returns true if every connection finished within the grace period.
     */
    public boolean stop(Duration grace) {
        stopAccepting();
        if (!stopped.compareAndSet(false, true)) {
            return true;
        }
        boolean drained;
        try {
            drained = engine.awaitIdle(Instant.now().plus(grace));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        engine.abort();
        return drained;
    }

    /** {@link #stop(Duration)} with the builder's grace period. */
    @Override
    public void close() {
        stop(grace);
    }

    /** Closes every listener (new clients are refused from now on); open connections go on. Idempotent. */
    public void stopAccepting() {
        if (accepting.compareAndSet(true, false)) {
            closeListeners();
        }
    }

    private void closeListeners() {
        engine.stopAccepting();
        for (ServerSocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // stopping anyway
            }
        }
        for (Path p : socketFiles) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a socket file we cannot remove is harmless; the next start replaces it
            }
        }
    }

    /** What to serve and how; {@link #start()} binds every listener or none. */
    public static final class Builder {
        private record Binding(Service service, Transport transport, Endpoint endpoint, SocketOptions options) {
        }

        private final List<Binding> bindings = new ArrayList<>();
        private Settings settings = Settings.defaults();
        private ServerEvents events = ServerEvents.logging();
        private int maxConnections = 10_000;
        private int bufferSize = 16 * 1024;
        private Duration idleTimeout = Duration.ZERO;
        private Duration grace = Duration.ofSeconds(5);
        private boolean iterative;
        private SocketOptions options = SocketOptions.DEFAULTS;

        private Builder() {
        }

        /** Serves {@code service} over {@code transport} on {@code endpoint} (port 0: any free port). */
        public Builder serve(Service service, Transport transport, Endpoint endpoint) {
            return serve(service, transport, endpoint, null);
        }

        /** Serves with its own socket options; null: the builder's {@link #options(SocketOptions)}. */
        public Builder serve(Service service, Transport transport, Endpoint endpoint, SocketOptions options) {
            bindings.add(new Binding(service, transport, endpoint, options));
            return this;
        }

        /** Socket options for every listener that was not given its own. */
        public Builder options(SocketOptions o) {
            this.options = o;
            return this;
        }

        /** Serves a spec on each of its transports. */
        public Builder serve(Spec spec) {
            spec.transports().forEach(t -> serve(spec.service(), t, spec.endpoint()));
            return this;
        }

        public Builder settings(Settings s) {
            this.settings = s;
            return this;
        }

        public Builder events(ServerEvents e) {
            this.events = e;
            return this;
        }

        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        public Builder bufferSize(int bytes) {
            this.bufferSize = bytes;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder grace(Duration d) {
            this.grace = d;
            return this;
        }

        /** Serve one connection at a time per listener. */
        public Builder iterative(boolean on) {
            this.iterative = on;
            return this;
        }

        /** Binds every listener and starts serving; if one cannot be bound, none is left open. */
        public Server start() throws ListenException {
            if (bindings.isEmpty()) {
                throw new IllegalStateException("nothing to serve");
            }
            Engine engine = new ThreadsEngine(new EngineConfig(events, maxConnections, bufferSize, idleTimeout, iterative));
            List<Listener> listeners = new ArrayList<>();
            List<ServerSocketChannel> channels = new ArrayList<>();
            List<Path> files = new ArrayList<>();
            try {
                for (Binding b : bindings) {
                    if (b.transport() != Transport.TCP) {
                        throw new ListenException("cannot listen on " + b.transport().label(b.endpoint()) + " " + b.endpoint()
                                + " — datagram transports are not available yet", ListenException.Reason.OTHER, null);
                    }
                    SocketOptions o = b.options() != null ? b.options() : options;
                    ServerSocketChannel ch = bind(b.transport(), b.endpoint(), o);
                    channels.add(ch);
                    if (b.endpoint() instanceof Endpoint.Unix u && !u.abstractName()) {
                        files.add(u.file());
                    }
                    listeners.add(new Listener(b.service(), b.transport(), b.endpoint(), Endpoint.of(ch.getLocalAddress()),
                            o, o.readBack(familyOf(ch), ch)));
                }
            } catch (IOException e) {
                Server partial = new Server(listeners, channels, files, engine, Duration.ZERO);
                partial.stop(Duration.ZERO);
                throw e instanceof ListenException le ? le : new ListenException(e.getMessage(), ListenException.Reason.OTHER, e);
            }
            Server server = new Server(listeners, channels, files, engine, grace);
            for (int i = 0; i < listeners.size(); i++) {
                Listener l = listeners.get(i);
                events.listening(l);
                engine.serve(l, channels.get(i), bindings.get(i).service().stream().apply(settings));
            }
            return server;
        }

        private static java.net.ProtocolFamily familyOf(ServerSocketChannel ch) throws IOException {
            return switch (ch.getLocalAddress()) {
                case java.net.InetSocketAddress a when a.getAddress() instanceof java.net.Inet4Address -> StandardProtocolFamily.INET;
                case java.net.InetSocketAddress a -> StandardProtocolFamily.INET6;
                default -> StandardProtocolFamily.UNIX;
            };
        }

        private static ServerSocketChannel bind(Transport transport, Endpoint endpoint, SocketOptions options) throws ListenException {
            ServerSocketChannel ch = null;
            try {
                ch = endpoint instanceof Endpoint.Unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX) : ServerSocketChannel.open();
                if (endpoint instanceof Endpoint.Inet) {
                    ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                }
                options.applyToListener(ch);
                ch.bind(endpoint.toSocketAddress(), 4096);
                return ch;
            } catch (IOException | RuntimeException e) {
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // failed anyway
                    }
                }
                IOException io = e instanceof IOException x ? x : new IOException(e.getMessage(), e);
                throw ListenException.of(transport, endpoint, io);
            }
        }
    }
}
