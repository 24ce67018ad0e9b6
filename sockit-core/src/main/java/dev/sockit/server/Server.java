package dev.sockit.server;

import dev.sockit.engine.DatagramEngine;
import dev.sockit.engine.Engine;
import dev.sockit.engine.EngineConfig;
import dev.sockit.engine.EngineKind;
import dev.sockit.engine.ReplyLimits;
import dev.sockit.linux.Account;
import dev.sockit.linux.InheritedSocket;
import dev.sockit.net.AccessList;
import dev.sockit.net.Endpoint;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
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
 * <p>Stream transports (TCP, Unix stream) go to a stream {@link Engine}: {@link EngineKind#preferred()}
 * (epoll on Linux) unless {@link Builder#engine} names one; datagram transports (UDP,
 * Unix datagram) to a {@link DatagramEngine}, one loop per socket, its replies held to the
 * {@link ReplyLimits}. A UDP listener on every address is one socket per local address (see
 * {@link Binder} for why), so it shows as several listeners.
 *
 * <p>{@link #close()} stops accepting and receiving at once, lets open connections finish for the
 * grace period, then closes the rest, and removes the socket files it created.
 *
 * <p>A server is safe to use from any thread. Its events and sessions are called on the engines' own
 * threads (an event loop, a connection's virtual thread, a datagram loop): they must not block, and a
 * {@link #stop} called from one of them cannot wait for the connections, its own among them, so it
 * starts the stop on another thread and returns at once. The server's threads are daemon threads: a
 * {@code main} that serves until stopped waits in {@link #join()}.
 */
public final class Server implements AutoCloseable {
    private final List<Listener> listeners;
    private final List<Binder.Bound> sockets;
    private final Engine engine;
    private final DatagramEngine datagrams;
    private final Duration grace;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Counted down once the first stop has closed every connection; {@link #drained} is then its answer. */
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean drained;
    private final AtomicBoolean accepting = new AtomicBoolean(true);
    private final EngineKind engineKind;
    /** What sink prints, on its way to standard output by a thread of its own. */
    private final PrintQueue sinkOutput;
    /** How long a stop lets sink's queued lines be written before it says they were not. */
    private static final Duration SINK_DRAIN = Duration.ofSeconds(2);
    /** The preferred engine could not run here: said once per process, not once per server. */
    private static final AtomicBoolean FALLBACK_REPORTED = new AtomicBoolean();

    private Server(List<Binder.Bound> sockets, EngineKind engineKind, Engine engine, DatagramEngine datagrams, Duration grace,
                   PrintQueue sinkOutput) {
        this.sinkOutput = sinkOutput;
        this.listeners = sockets.stream().map(Binder.Bound::listener).toList();
        this.sockets = sockets;
        this.engineKind = engineKind;
        this.engine = engine;
        this.datagrams = datagrams;
        this.grace = grace;
    }

    /**
     * 64 KiB: the epoll engine reads up to this much at once (into a buffer per loop, not per
     * connection), and bulk echo moved 1.3-1.4x the bytes with 64 KiB reads than with 16 KiB
     * (docs/benchmarks-notes.md). Neither engine holds it for an idle connection; under
     * back-pressure a connection holds at most this much in and this much out.
     */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

    /** Connections served at once unless told otherwise, if the heap holds them at their worst ({@link #connectionsTheHeapHolds}). */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    /**
     * How many connections this JVM's heap holds at their worst, each with a full input and a full
     * output buffer of {@code bufferSize}, in half the heap (the rest for everything else). A limit
     * above it is memory that a crowd of clients sending without reading could exhaust.
     */
    public static int connectionsTheHeapHolds(int bufferSize) {
        return (int) Math.min(Integer.MAX_VALUE, Runtime.getRuntime().maxMemory() / 2 / (2L * bufferSize));
    }

    /** The connection limit when none is given: {@link #DEFAULT_MAX_CONNECTIONS}, or what the heap holds if fewer. */
    public static int defaultMaxConnections(int bufferSize) {
        return Math.min(DEFAULT_MAX_CONNECTIONS, Math.max(1, connectionsTheHeapHolds(bufferSize)));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every listener, with the address it really bound (port 0 resolved). */
    public List<Listener> listeners() {
        return listeners;
    }

    /** The engine serving the stream listeners. */
    public EngineKind engine() {
        return engineKind;
    }

    /** The bound endpoint of the first listener: handy when serving one service on port 0. */
    public Endpoint endpoint() {
        return listeners.getFirst().bound();
    }

    /**
     * Stops accepting and receiving at once, waits up to {@code grace} for open connections to finish,
     * then closes the rest. Returns true if every connection finished within the grace period. A
     * second caller waits for the first and returns its answer. Called from one of the server's own
     * threads (an event or a session), it starts the stop on another thread and returns false at once,
     * before even the listeners are closed; {@link #join()} on another thread waits for the end.
     */
    public boolean stop(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (onOwnThread()) {
            // Waiting here would be waiting for this very thread (an event loop would never run the stop it waits for).
            Thread.ofVirtual().name("sockit-stop").start(() -> stop(grace));
            return false;
        }
        stopAccepting();
        if (!stopped.compareAndSet(false, true)) {
            return awaitFinished();
        }
        try {
            try {
                drained = engine.awaitIdle(Instant.now().plus(grace));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    sinkOutput.close(SINK_DRAIN); // a connection still printing is being cut: its lines are dropped from here
                } finally {
                    engine.abort();
                }
            }
        } finally {
            finished.countDown(); // whatever happened: join() and a second stop must not wait for ever
        }
        return drained;
    }

    @Override
    public String toString() {
        return "Server[" + engineKind.label() + " engine; " + listeners.stream().map(Listener::toString).collect(java.util.stream.Collectors.joining(", "))
                + (stopped.get() ? "; stopped]" : "]");
    }

    /**
     * Waits until the server has stopped: until a {@link #stop} or {@link #close()}, called on another
     * thread (a shutdown hook, a session), has closed every connection.
     */
    public void join() throws InterruptedException {
        finished.await();
    }

    private boolean awaitFinished() {
        try {
            finished.await();
            return drained;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@link #stop(Duration)} with the builder's grace period. */
    @Override
    public void close() {
        stop(grace);
    }

    /**
     * Closes every listener: new clients are refused, datagram listeners stop receiving and report
     * their totals; open connections go on. Idempotent. Called from one of the server's own threads,
     * it closes them from another thread and returns at once, before they are closed.
     */
    public void stopAccepting() {
        if (onOwnThread()) {
            Thread.ofVirtual().name("sockit-stop-accepting").start(this::stopAccepting);
            return;
        }
        if (accepting.compareAndSet(true, false)) {
            closeListeners();
        }
    }

    /** On an engine's thread, whose loop a wait for the engine would stall (an event loop would wait for itself). */
    private boolean onOwnThread() {
        return engine.ownsCurrentThread() || (datagrams != null && datagrams.ownsCurrentThread());
    }

    /** Closes listeners, and removes the socket files they made (one we cannot remove is harmless: the next start replaces it). */
    private static void close(List<Binder.Bound> bound) {
        bound.forEach(Binder.Bound::close);
        for (Binder.Bound b : bound) {
            if (b.file() != null) {
                try {
                    Files.deleteIfExists(b.file());
                } catch (IOException ignored) {
                    // closed anyway
                }
            }
        }
    }

    private void closeListeners() {
        engine.stopAccepting();
        if (datagrams != null) {
            datagrams.stop();
        }
        close(sockets);
    }

    /** What to serve and how; {@link #start()} binds every listener or none. */
    public static final class Builder {
        private record Binding(Service service, Transport transport, Endpoint endpoint, SocketOptions options, InheritedSocket inherited) {
        }

        private final List<Binding> bindings = new ArrayList<>();
        private Settings settings = Settings.defaults();
        private ServerEvents events = ServerEvents.logging();
        /** 0: not given, so 10,000, or fewer if the heap cannot hold that many at their worst. */
        private int maxConnections;
        private int maxPerSource;
        private AccessList access = AccessList.OPEN;
        private int portOffset;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private Duration idleTimeout = Duration.ZERO;
        private Duration grace = Duration.ofSeconds(5);
        private boolean iterative;
        private SocketOptions options = SocketOptions.DEFAULTS;
        private ReplyLimits replyLimits = ReplyLimits.defaults();
        private Duration reportEvery = Duration.ofSeconds(10);
        private int socketMode = -1;
        private Account runAs;
        private EngineKind engine;
        /** null: {@link EngineConfig#automaticBusyPoll()}. */
        private Duration busyPoll;

        private Builder() {
        }

        /** The longest busy poll: far above the tens of microseconds it is for. */
        public static final Duration MAX_BUSY_POLL = Duration.ofMillis(10);

        /** How long an engine polls for more input before sleeping (see {@link EngineConfig#busyPoll()}). */
        public Builder busyPoll(Duration d) {
            if (Objects.requireNonNull(d, "busy poll").isNegative() || d.compareTo(MAX_BUSY_POLL) > 0) {
                // polling is a CPU spent waiting: microseconds are its use; a longer one is a mistake that burns a CPU
                throw new IllegalArgumentException("busy poll must be from 0 to " + MAX_BUSY_POLL.toMillis() + " ms, not " + d);
            }
            this.busyPoll = d;
            return this;
        }

        /**
         * The engine for stream listeners. Unset: {@link EngineKind#preferred()}, falling back to
         * threads (with a warning, once) where epoll cannot run. Named, it must be able to run here:
         * {@link #start()} throws IllegalStateException saying why not.
         */
        public Builder engine(EngineKind kind) {
            this.engine = kind;
            return this;
        }

        /** Serves {@code service} over {@code transport} on {@code endpoint} (port 0: any free port). */
        public Builder serve(Service service, Transport transport, Endpoint endpoint) {
            return serve(service, transport, endpoint, null);
        }

        /** Serves with its own socket options; null: the builder's {@link #options(SocketOptions)}. */
        public Builder serve(Service service, Transport transport, Endpoint endpoint, SocketOptions options) {
            check(service, transport);
            bindings.add(new Binding(service, transport, Objects.requireNonNull(endpoint, "endpoint"), options, null));
            return this;
        }

        private static void check(Service service, Transport transport) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(transport, "transport");
            if ((transport == Transport.TCP ? service.stream() : service.datagram()) == null) {
                throw new IllegalArgumentException(service.name() + " has no " + (transport == Transport.TCP ? "stream" : "datagram") + " form");
            }
        }

        /**
         * Serves {@code service} on a socket passed by socket activation
         * ({@link dev.sockit.linux.SocketActivation}), with its own socket options (null: the
         * builder's): a listening stream socket, a datagram socket, or the one connection a unit with
         * {@code Accept=yes} passes (served by the threads engine: an event loop for one connection
         * would be all set-up). On stop, our descriptor is
         * closed and the socket left as it is, for systemd to start the server again at the next client.
         *
         */
        public Builder serve(Service service, InheritedSocket socket, SocketOptions options) {
            check(service, socket.transport());
            bindings.add(new Binding(service, socket.transport(), socket.local(), options, socket));
            return this;
        }

        /** Serves a spec on each of its transports (on port 0, on one port where it is free on all). */
        public Builder serve(Spec spec) {
            spec.transports().forEach(t -> serve(spec.service(), t, spec.endpoint()));
            return this;
        }

        /** Socket options for every listener that was not given its own. */
        public Builder options(SocketOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** What the services say: clock, daytime format, quotations, where sink prints (default {@link Settings#defaults()}). */
        public Builder settings(Settings s) {
            this.settings = Objects.requireNonNull(s, "settings");
            return this;
        }

        /**
         * Where listeners, ended connections, datagram counts and warnings are reported (default
         * {@link ServerEvents#logging()}). {@code listening} is called on the thread that calls
         * {@link #start()}, totals and late warnings on the one that stops the server, the rest on
         * the engines' threads (see the class comment).
         */
        public Builder events(ServerEvents e) {
            this.events = Objects.requireNonNull(e, "events");
            return this;
        }

        /**
         * At most {@code n} connections at once from one address (an IPv6 client: from its /64), over all listeners (xinetd's
         * per_source); more are closed as soon as they are accepted. 0, the default: no such limit.
         */
        public Builder maxPerSource(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("the per-source limit cannot be negative");
            }
            this.maxPerSource = n;
            return this;
        }

        /**
         * Which clients are served, by IP address (xinetd's only_from and no_access), over TCP and UDP
         * alike: a connection from an address the list does not allow is closed as soon as it is
         * accepted, a datagram from one is dropped before the service sees it (and counted). Unix-domain peers are not
         * judged by it. Default: {@link AccessList#OPEN}.
         */
        public Builder access(AccessList list) {
            this.access = Objects.requireNonNull(list, "list");
            return this;
        }

        /**
         * The small services are served {@code offset} above their standard ports (as
         * {@code --port-offset} does): the UDP guard then refuses their ports at that offset as
         * sources, as it refuses ports below 1024, so that two servers set up alike cannot be made
         * to answer each other (echo and chargen, for ever).
         */
        public Builder portOffset(int offset) {
            if (offset < 0 || offset > 65535) {
                throw new IllegalArgumentException("a port offset is from 0 to 65535");
            }
            this.portOffset = offset;
            return this;
        }

        /**
         * Connections served at once, over all listeners; more wait in the kernel's backlog. Not given:
         * {@link #DEFAULT_MAX_CONNECTIONS}, or what half the heap holds with every buffer full if fewer.
         * Given above that, it is kept, with a warning at start.
         */
        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("max connections must be at least 1");
            }
            this.maxConnections = n;
            return this;
        }

        /** The smallest buffer: a one-shot reply (qotd's, up to 512 bytes) is written whole, and then some. */
        public static final int MIN_BUFFER_SIZE = 1024;

        /**
         * Bytes of input and of output a connection may hold (default {@link #DEFAULT_BUFFER_SIZE}):
         * the bound on its memory, whatever the peer does.
         */
        public Builder bufferSize(int bytes) {
            if (bytes < MIN_BUFFER_SIZE) {
                throw new IllegalArgumentException("the buffer size must be at least " + MIN_BUFFER_SIZE + " bytes, not " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /** Closes a connection silent for this long (the default, {@link Duration#ZERO}: never). */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = nonNegative(d, "idle timeout");
            return this;
        }

        /** How long {@link Server#close()} lets open connections finish before it closes them (default 5s). */
        public Builder grace(Duration d) {
            this.grace = nonNegative(d, "grace period");
            return this;
        }

        private static Duration nonNegative(Duration d, String what) {
            if (Objects.requireNonNull(d, what).isNegative()) {
                throw new IllegalArgumentException("the " + what + " cannot be negative: " + d);
            }
            return d;
        }

        /** Serve one connection at a time per listener. */
        public Builder iterative(boolean on) {
            this.iterative = on;
            return this;
        }

        /** Which datagram senders are answered, and how many replies go out (default: {@link ReplyLimits#defaults()}). */
        public Builder replyLimits(ReplyLimits limits) {
            this.replyLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** How often, at most, datagram counts and drop warnings are reported (default 10s). */
        public Builder reportEvery(Duration d) {
            if (Objects.requireNonNull(d, "report interval").isNegative() || d.isZero()) {
                throw new IllegalArgumentException("the report interval must be positive");
            }
            this.reportEvery = d;
            return this;
        }

        /**
         * Once every socket is bound and before anyone is served, the whole process switches to
         * {@code account} for good: a server started as root for the ports below 1024 serves as,
         * say, nobody (inetd's user field). Socket files it made stay root's, so a stopping server
         * may not be able to remove them; the next start replaces them. Default: stay as started.
         */
        public Builder runAs(Account account) {
            this.runAs = Objects.requireNonNull(account, "account");
            return this;
        }

        /** Permission bits for Unix socket files, e.g. {@code 0660}; negative for the umask's default. */
        public Builder socketMode(int mode) {
            if (mode > 0777) {
                throw new IllegalArgumentException("socket mode " + Integer.toOctalString(mode) + " has bits beyond 0777");
            }
            this.socketMode = mode;
            return this;
        }

        /** Whether one of the bindings is the connection a unit with Accept=yes passes, which the threads engine serves. */
        private boolean passesAConnection() {
            return bindings.stream().anyMatch(b -> b.inherited() != null && b.transport() == Transport.TCP && !b.inherited().listening());
        }

        private EngineKind chooseEngine() {
            if (engine != null) {
                return engine;
            }
            if (passesAConnection()) {
                return EngineKind.THREADS;
            }
            EngineKind kind = EngineKind.preferred();
            if (kind != EngineKind.EPOLL && FALLBACK_REPORTED.compareAndSet(false, true)) {
                EngineKind.EPOLL.unavailable().ifPresent(why ->
                        events.warning("the epoll engine cannot run here (" + why + "); serving with the threads engine"));
            }
            return kind;
        }

        /**
         * Binds every listener, switches to the {@link #runAs} account if one was given, and starts
         * serving; if one cannot be bound, or the switch fails, none is left open.
         *
         * @throws ListenException when a socket cannot be bound
         * @throws IOException when the switch of account fails: the process may then be half-switched, and should exit
         */
        public Server start() throws IOException {
            if (bindings.isEmpty()) {
                throw new IllegalStateException("nothing to serve");
            }
            if (engine != null && engine.unavailable().isPresent()) {
                throw new IllegalStateException("the " + engine.label() + " engine cannot run here: " + engine.unavailable().get());
            }
            if (engine == EngineKind.EPOLL && passesAConnection()) {
                throw new IllegalStateException("a connection passed by a unit with Accept=yes is served by the threads engine (drop --engine epoll)");
            }
            EngineKind kind = chooseEngine(); // before binding: its warning is an event, and an event may throw
            Binder binder = new Binder(socketMode, events);
            List<Binder.Bound> bound = new ArrayList<>();
            List<Binding> of = new ArrayList<>();
            try {
                for (Binding b : bindings) {
                    SocketOptions o = b.options() != null ? b.options() : options;
                    List<Binder.Bound> more = b.inherited() != null ? List.of(binder.inherited(b.service(), b.inherited(), o))
                            : b.transport() == Transport.TCP ? List.of(binder.stream(b.service(), b.endpoint(), o))
                            : binder.datagram(b.service(), b.endpoint(), o);
                    bound.addAll(more);
                    more.forEach(m -> of.add(b));
                }
                if (runAs != null) {
                    runAs.switchTo(); // before any engine starts a thread or takes a connection
                }
            } catch (IOException | RuntimeException | Error e) {
                close(bound);
                throw e;
            }
            int holds = connectionsTheHeapHolds(bufferSize);
            int limit = maxConnections > 0 ? maxConnections : defaultMaxConnections(bufferSize);
            Engine engine;
            try {
                engine = kind.create(new EngineConfig(events, limit, bufferSize, idleTimeout, iterative,
                        busyPoll != null ? busyPoll : EngineConfig.automaticBusyPoll(), maxPerSource, access));
            } catch (RuntimeException | Error e) {
                close(bound);
                throw e;
            }
            Server server = null;
            // no engine thread writes to standard output itself: a stalled reader would stall an event loop
            PrintQueue sinkOutput = new PrintQueue(settings.printer(), events);
            Settings settings = this.settings.withPrinter(sinkOutput);
            try {
                if (maxConnections > holds && bindings.stream().anyMatch(b -> b.transport() == Transport.TCP)) {
                    events.warning("at most " + maxConnections + " connections may each hold " + bufferSize / 1024 + " KiB in and out: "
                            + mebibytes(2L * bufferSize * maxConnections) + " at worst, more than half of the " + mebibytes(Runtime.getRuntime().maxMemory())
                            + " heap; lower the connection limit to " + holds + ", or give the JVM more heap");
                }
                boolean anyDatagram = bound.stream().anyMatch(b -> b.port() != null);
                DatagramEngine datagrams = anyDatagram ? new DatagramEngine(events, replyLimits, reportEvery, portOffset, access) : null;
                server = new Server(bound, kind, engine, datagrams, grace, sinkOutput);
                for (int i = 0; i < bound.size(); i++) {
                    Binder.Bound b = bound.get(i);
                    Service service = of.get(i).service();
                    events.listening(b.listener());
                    if (b.inherited() != null) {
                        engine.serve(b.listener(), b.inherited(), service.stream().apply(settings));
                    } else if (b.channel() != null) {
                        engine.serve(b.listener(), b.channel(), service.stream().apply(settings));
                    } else if (b.acceptor() != null) {
                        engine.serve(b.listener(), b.acceptor(), service.stream().apply(settings));
                    } else {
                        datagrams.serve(b.listener(), b.port(), service.datagram().apply(settings));
                    }
                }
            } catch (RuntimeException | Error e) {
                // the engine could not start (epoll: no descriptors left), or a service or an event handler failed: leave nothing open
                if (server != null) {
                    server.stop(Duration.ZERO);
                } else {
                    engine.stopAccepting();
                    engine.abort();
                    close(bound);
                }
                throw e;
            }
            return server;
        }

        private static String mebibytes(long bytes) {
            return String.format(java.util.Locale.ROOT, "%,d MiB", bytes >> 20);
        }
    }
}
