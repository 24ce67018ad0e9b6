package dev.sockit.engine.epoll;

import dev.sockit.engine.Connections;
import dev.sockit.engine.Engine;
import dev.sockit.engine.EngineConfig;
import dev.sockit.io.StreamAcceptor;
import dev.sockit.linux.ErrnoException;
import dev.sockit.linux.InheritedSocket;
import dev.sockit.linux.Epoll;
import dev.sockit.linux.JdkDescriptors;
import dev.sockit.linux.Libc;
import dev.sockit.linux.UnixStreamListener;
import dev.sockit.linux.Wakeup;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Listener;
import dev.sockit.service.StreamService;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The {@code epoll} engine: Linux event loops, one per available CPU, each a platform thread with
 * its own epoll instance, making its system calls through {@code dev.sockit.linux} (FFM, no JNI). It
 * drives the same sans-I/O sessions as the {@code threads} engine, with the same limits, records
 * and graceful stop; see {@link Connection} for how a connection is served.
 *
 * <h2>Accepting</h2>
 * Every listener is shared by all loops: each loop has it in its epoll set (with EPOLLEXCLUSIVE, so
 * one connection wakes one sleeping loop) and serves what it accepts itself, handing a connection to
 * another loop only to even out their loads. The alternatives were one SO_REUSEPORT socket per loop,
 * and one acceptor handing every connection to the loops in turn (Netty's way). All three were
 * measured (docs/benchmarks-notes.md): handing every connection off costs a cross-thread wake-up per
 * connection and made the fewest daytime connections per second; SO_REUSEPORT was level with the
 * shared listener within the noise, but it spreads connections by a hash of addresses, blind to how
 * busy each loop is, lets any process of the same user bind the port and take a share of its
 * clients, drops what is queued on one socket when that socket closes, and has no Unix-socket
 * equivalent. A shared listener has none of these problems and needs no extra sockets. An iterative
 * listener is on one loop only: it serves one connection at a time anyway.
 *
 * <h2>Limits and stopping</h2>
 * The connection limit is the same {@link Connections} tracker the threads engine uses, taken
 * without blocking: at the limit a loop pauses its listeners until a connection ends anywhere.
 * {@link #stopAccepting} removes every listener from every loop before closing it, so no loop can
 * accept on a descriptor number that has been reused.
 */
public final class EpollEngine implements Engine {
    final EngineConfig config;
    final Connections connections;
    /** Accept handlers paused at the connection limit, to resume when a token comes back. */
    final ConcurrentLinkedQueue<AcceptHandler> tokenWaiters = new ConcurrentLinkedQueue<>();
    private final int loopCount;
    private final List<EventLoop> loops = new ArrayList<>();
    private final List<Listening> listenings = new ArrayList<>();
    private ExecutorService closer;
    private int nextIterative;

    public EpollEngine(EngineConfig config) {
        this(config, Runtime.getRuntime().availableProcessors());
    }

    /** With {@code loops} event loops (tests use more loops than CPUs, to run the sharing paths). */
    public EpollEngine(EngineConfig config, int loops) {
        if (loops < 1) {
            throw new IllegalArgumentException("an epoll engine needs at least one loop");
        }
        Optional<String> problem = unavailable();
        if (problem.isPresent()) {
            throw new IllegalStateException("the epoll engine cannot run here: " + problem.get());
        }
        this.config = config;
        this.connections = Connections.of(config);
        this.loopCount = loops;
    }

    /** Why the epoll engine cannot run in this JVM (not Linux, FFM refused, no JDK descriptors), or empty. */
    public static Optional<String> unavailable() {
        return Probe.PROBLEM;
    }

    /** The number of event loops this engine runs. */
    /** How many times a socket was registered with a loop's epoll so far (the tests count them). */
    int registrations() {
        int n = 0;
        for (EventLoop l : loops) {
            n += l.registrations();
        }
        return n;
    }

    public int loops() {
        return loopCount;
    }

    /** Loops start with the first listener: a server with only datagram listeners runs none. */
    private synchronized void startLoops() {
        if (!loops.isEmpty()) {
            return;
        }
        try {
            for (int i = 0; i < loopCount; i++) {
                loops.add(new EventLoop(this, i));
            }
        } catch (ErrnoException e) {
            loops.forEach(EventLoop::shutdown);
            loops.clear();
            throw new UncheckedIOException("cannot start the epoll engine: " + e.getMessage(), e);
        }
        loops.forEach(EventLoop::start);
    }

    @Override
    public void serve(Listener listener, ServerSocketChannel channel, StreamService service) {
        int fd;
        try {
            channel.configureBlocking(false);
            fd = JdkDescriptors.of(channel);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (fd < 0) {
            throw new IllegalStateException("the epoll engine cannot read the listener's descriptor: "
                    + JdkDescriptors.unavailable().orElse("unknown reason"));
        }
        boolean unix = listener.bound() instanceof Endpoint.Unix;
        if (!unix && listener.options().noDelay() == null) {
            noDelayOnListener(listener, fd);
        }
        start(new Listening(listener, service, fd, unix, config.iterative(), config.events(), channel));
    }

    /**
     * TCP_NODELAY on the listening socket, where Linux copies it to every socket accepted from it: the
     * default of {@link dev.sockit.net.SocketOptions#forAcceptedTcp} without a system call per connection.
     */
    private void noDelayOnListener(Listener listener, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            Libc.setsockopt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, arena.allocateFrom(ValueLayout.JAVA_INT, 1), "TCP_NODELAY");
        } catch (ErrnoException e) {
            config.events().warning("cannot set TCP_NODELAY on " + listener + ": " + e.getMessage());
        }
    }

    /** Serves a listening socket passed by socket activation: polled like any other, closed without a shutdown. */
    @Override
    public void serve(Listener listener, InheritedSocket socket, StreamService service) {
        if (socket.transport() != Transport.TCP || !socket.listening()) {
            throw new IllegalArgumentException("the epoll engine serves listening stream sockets, not " + socket);
        }
        int fd = socket.fd();
        try {
            Libc.setNonBlocking(fd);
        } catch (ErrnoException e) {
            throw new UncheckedIOException(e);
        }
        // Its options, TCP_NODELAY included, were set on it when it was taken (Binder), for either engine.
        start(new Listening(listener, service, fd, listener.bound() instanceof Endpoint.Unix, config.iterative(), config.events(), socket));
    }

    /** Serves a listener made through {@code dev.sockit.linux} (Linux abstract names); other acceptors cannot be polled. */
    @Override
    public void serve(Listener listener, StreamAcceptor acceptor, StreamService service) {
        if (!(acceptor instanceof UnixStreamListener u)) {
            throw new IllegalArgumentException("the epoll engine serves JDK server channels and dev.sockit.linux listeners, not " + acceptor);
        }
        int fd;
        try {
            fd = u.pollingDescriptor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start(new Listening(listener, service, fd, true, config.iterative(), config.events(), () -> {
            u.releasePollingDescriptor();
            u.close();
        }));
    }

    private void start(Listening l) {
        startLoops();
        synchronized (this) {
            listenings.add(l);
        }
        if (l.iterative) {
            EventLoop loop = loops.get(Math.floorMod(nextIterative++, loops.size()));
            AcceptHandler h = new AcceptHandler(loop, l, false);
            l.handlers.add(h);
            loop.execute(h::start);
            return;
        }
        boolean exclusive = loops.size() > 1;
        for (EventLoop loop : loops) {
            AcceptHandler h = new AcceptHandler(loop, l, exclusive);
            l.handlers.add(h);
            loop.execute(h::start);
        }
    }

    /** The loop to serve a connection {@code here} accepted: here, unless another carries fewer by more than one. */
    EventLoop lightest(EventLoop here) {
        EventLoop best = here;
        int least = here.load.get();
        for (EventLoop l : loops) {
            int n = l.load.get();
            if (n < least - 1) {
                least = n;
                best = l;
            }
        }
        return best;
    }


    /**
     * Gives back a token no connection came of (accept found none, or the per-source limit refused
     * it): a loop that paused at the limit meanwhile, having seen none free, is woken for it.
     */
    void giveBackToken() {
        connections.giveBack();
        if (!tokenWaiters.isEmpty()) {
            wakeTokenWaiters();
        }
    }

    /** Wakes the loops paused at the connection limit (a connection ended somewhere). */
    void wakeTokenWaiters() {
        AcceptHandler h;
        while ((h = tokenWaiters.poll()) != null) {
            AcceptHandler waiting = h;
            waiting.loop.execute(waiting::tokenFreed);
        }
    }

    /** A connection has ended and been reported (on its loop's thread): its token goes back. */
    void ended(Connection c) {
        connections.release(c);
        Listening l = c.origin.listening;
        if (l.iterative) {
            l.active--;
            c.origin.slotFreed();
        }
        if (!tokenWaiters.isEmpty()) {
            wakeTokenWaiters();
        }
    }

    /**
     * close(2) on a connection's descriptor. With SO_LINGER above zero the kernel makes close wait
     * until the unsent data is acknowledged or the time is up; that wait happens on a thread of its
     * own, never on a loop.
     */
    void closeDescriptor(EventLoop loop, int fd, boolean mayLinger) {
        if (!mayLinger) {
            Libc.close(loop.state, fd); // the descriptor is gone whatever it returns
            return;
        }
        ExecutorService c;
        synchronized (this) {
            if (closer == null) {
                closer = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("sockit-epoll-close").factory());
            }
            c = closer;
        }
        c.execute(() -> closeQuietly(fd));
    }

    private static void closeQuietly(int fd) {
        try {
            Libc.close(fd);
        } catch (ErrnoException ignored) {
            // the descriptor is gone either way
        }
    }

    @Override
    public void stopAccepting() {
        List<Listening> all;
        synchronized (this) {
            all = List.copyOf(listenings);
        }
        List<CountDownLatch> done = new ArrayList<>();
        for (EventLoop loop : loops) {
            CountDownLatch latch = new CountDownLatch(1);
            done.add(latch);
            loop.execute(() -> {
                for (Listening l : all) {
                    for (AcceptHandler h : l.handlers) {
                        if (h.loop == loop) {
                            h.stop();
                        }
                    }
                }
                latch.countDown();
            });
        }
        for (int i = 0; i < done.size(); i++) {
            awaitLoop(done.get(i), loops.get(i));
        }
        tokenWaiters.clear();
        for (Listening l : all) {
            l.close();
        }
        connections.reportRefusals();
    }

    @Override
    public boolean ownsCurrentThread() {
        Thread current = Thread.currentThread();
        return loops.stream().anyMatch(loop -> loop.thread == current);
    }

    /** Waits for a loop to run a task, unless the loop has died (then nothing of it runs anyway). */
    private static void awaitLoop(CountDownLatch latch, EventLoop loop) {
        try {
            while (!latch.await(100, TimeUnit.MILLISECONDS)) {
                if (!loop.thread.isAlive()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean awaitIdle(Instant deadline) throws InterruptedException {
        return connections.awaitEmpty(deadline);
    }

    @Override
    public void abort() {
        connections.closeAll("server stopping");
        try {
            connections.awaitEmpty(Instant.now().plusSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (EventLoop loop : loops) {
            loop.shutdown();
        }
        for (EventLoop loop : loops) {
            try {
                loop.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            if (closer != null) {
                closer.shutdown();
            }
        }
    }

    /** How many connections each loop serves now. */
    List<Integer> loads() {
        return loops.stream().map(l -> l.load.get()).toList();
    }

    /** How many loop threads are still alive (none after {@link #abort}). */
    int running() {
        return (int) loops.stream().filter(l -> l.thread.isAlive()).count();
    }

    @Override
    public String toString() {
        return "epoll engine (" + loopCount + (loopCount == 1 ? " loop)" : " loops)");
    }

    /** Whether epoll works here: probed once, by making an epoll instance and an eventfd for real. */
    private static final class Probe {
        static final Optional<String> PROBLEM = probe();

        private static Optional<String> probe() {
            if (!Libc.available()) {
                try {
                    Libc.requireAvailable("epoll");
                } catch (IOException e) {
                    return Optional.of(e.getMessage());
                }
            }
            Optional<String> descriptors = JdkDescriptors.unavailable();
            if (descriptors.isPresent()) {
                return descriptors;
            }
            try (Epoll e = Epoll.open(1); Wakeup w = new Wakeup()) {
                return Optional.empty();
            } catch (ErrnoException | RuntimeException e) {
                return Optional.of("epoll does not work here: " + e.getMessage());
            }
        }
    }
}
