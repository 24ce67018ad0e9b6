package dev.sockit.engine.epoll;

import dev.sockit.engine.EngineConfig;
import dev.sockit.engine.LoopThreads;
import dev.sockit.linux.Epoll;
import dev.sockit.linux.Errno;
import dev.sockit.linux.ErrnoException;
import dev.sockit.linux.Libc;
import dev.sockit.linux.NativeSocketOptions;
import dev.sockit.linux.PeerCredentials;
import dev.sockit.linux.SocketAddresses;
import dev.sockit.linux.Wakeup;
import dev.sockit.net.Addresses;
import dev.sockit.net.UnixSocketAddress;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One event loop: a platform thread, its epoll instance, and the connections it owns from accept to
 * close. Nothing a connection does crosses to another thread, so connections need no locks; other
 * threads talk to a loop only through {@link #execute}, which wakes it through an eventfd.
 *
 * <p>Each turn: wait for events (no longer than the next deadline), handle them, then the
 * connections whose budget ran out last turn, then tasks from other threads, then deadlines (idle
 * timeouts, lingering closes, accept back-off). Everything a turn needs is allocated once per loop:
 * the epoll event array, one input buffer shared by all its connections (a connection keeps input
 * only while its session pushes back), scratch for addresses and socket options, and the errno
 * capture area of the raw calls.
 */
final class EventLoop implements Runnable {
    private static final int MAX_EVENTS = 1024;
    private static final int WAKEUP_FD_MARK = -1;

    final EpollEngine engine;
    final EngineConfig config;
    final Epoll epoll;
    final MemorySegment state;
    private final Wakeup wakeup;
    private final Arena arena = Arena.ofShared();
    /** The loop's input buffer: every read lands here first. */
    final MemorySegment input;
    final ByteBuffer inputView;
    final long inputAddress;
    /** Native scratch for sends from read-only buffers. */
    final MemorySegment output;
    final MemorySegment address;
    final MemorySegment addressLength;
    private final MemorySegment optionScratch;
    private final MemorySegment errorLength;
    final DeadlineQueue idle;
    final DeadlineQueue linger = new DeadlineQueue(Connection.LINGER_NANOS);
    private final ArrayDeque<Connection> again = new ArrayDeque<>();
    /** Buffers a loop keeps for reuse: as many as bulk streams commonly back up at once, 1 MiB at the default size. */
    private static final int SPARES = 16;
    private final ArrayDeque<ByteBuffer> spares = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final long busyPollNanos;
    /**
     * A loop busy-polls only while it serves this many connections or fewer. A few connections are
     * latency-bound: each round trip waits on the loop's wake-up, which polling takes away. Many
     * connections keep a loop busy anyway, and a loop that sleeps briefly between turns finds several
     * of them ready at once and answers them together, which costs their clients fewer wake-ups too:
     * at 100 pingpong connections polling made 0.8-0.9x the messages of sleeping (docs/benchmarks-notes.md).
     */
    static final int BUSY_POLL_CONNECTIONS = 16;
    /** When the loop last found events: the busy poll runs from there. */
    private long lastBusy;
    /**
     * A read this turn filled the input buffer: bulk traffic, which gains nothing from polling (its
     * next bytes are already queued) and loses by it (measured: stream echo at one connection moved
     * a tenth less), since reading each piece the moment it lands means more, smaller reads on both
     * sides. Such a turn does not start a busy poll.
     */
    boolean bulk;
    private Watched[] table = new Watched[256];
    private int generations;
    private boolean running = true;
    final Thread thread;
    /** System.nanoTime() when the loop last woke: the clock of a turn. */
    long now = System.nanoTime();

    private record Timer(long deadline, Runnable action) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    EventLoop(EpollEngine engine, int index) throws ErrnoException {
        this.engine = engine;
        this.config = engine.config;
        int size = config.bufferSize();
        this.epoll = Epoll.open(MAX_EVENTS);
        try {
            this.wakeup = new Wakeup();
        } catch (ErrnoException e) {
            epoll.close();
            throw e;
        }
        this.state = epoll.callState();
        this.input = arena.allocate(size, 64);
        this.inputView = input.asByteBuffer();
        this.inputAddress = input.address();
        this.output = arena.allocate(size, 64);
        this.address = arena.allocate(SocketAddresses.STORAGE, 8);
        this.addressLength = arena.allocate(JAVA_INT);
        this.optionScratch = arena.allocate(NativeSocketOptions.SCRATCH, 8);
        this.errorLength = arena.allocate(JAVA_INT);
        this.idle = config.idleTimeout().isZero() ? null : new DeadlineQueue(config.idleTimeout().toNanos());
        this.busyPollNanos = config.busyPoll().toNanos();
        int r = epoll.add(wakeup.fd(), Libc.EPOLLIN, WAKEUP_FD_MARK & 0xffffffffL);
        if (r < 0) {
            close();
            throw new ErrnoException("epoll_ctl eventfd", -r);
        }
        this.thread = Thread.ofPlatform().daemon().name("sockit-epoll-" + index).unstarted(() -> LoopThreads.run(this));
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            while (running) {
                turn();
            }
        } catch (Throwable t) {
            config.events().warning("epoll engine: event loop " + thread.getName() + " failed, its connections are lost: " + t);
        } finally {
            close();
        }
    }

    /**
     * One turn of the loop. A method of its own rather than the body of {@link #run}'s loop: the JIT
     * compiles a method once it has been called often, but a loop that never returns only through
     * on-stack replacement, after tens of thousands of turns (measured: the loop was still
     * interpreted eight seconds into a daytime benchmark, half a microsecond a connection).
     */
    private void turn() throws ErrnoException {
        int timeout = timeout();
        if (timeout != 0) {
            // Announce the sleep before the last look at the task queue: a task added after
            // this point sees wakeupPending false and signals the eventfd.
            wakeupPending.set(false);
            if (!tasks.isEmpty()) {
                timeout = 0;
            }
        }
        int n = timeout != 0 && busyPollNanos > 0 ? pollThenWait(timeout) : epoll.await(timeout);
        now = System.nanoTime();
        bulk = false;
        if (n < 0) {
            if (n == -Errno.EINTR.code()) {
                return;
            }
            throw new ErrnoException("epoll_wait", -n);
        }
        for (int i = 0; i < n; i++) {
            dispatch(epoll.data(i), epoll.events(i));
        }
        runAgain();
        runTasks();
        runDeadlines();
        if (n > 0 && !bulk && load.get() <= BUSY_POLL_CONNECTIONS) {
            lastBusy = now;
        }
    }

    /**
     * Polls without sleeping until {@link EngineConfig#busyPoll()} has passed since the last event,
     * then sleeps. epoll_wait with a zero timeout never sleeps (a critical call, about a third of a
     * microsecond here), and new events are found the moment they are queued, without the cost of a
     * wake-up (see {@link EngineConfig#DEFAULT_BUSY_POLL}).
     */
    private int pollThenWait(int timeout) {
        long until = lastBusy + busyPollNanos;
        while (System.nanoTime() - until < 0) {
            int n = epoll.await(0);
            if (n != 0) {
                return n;
            }
        }
        return epoll.await(timeout);
    }

    private void dispatch(long data, int events) {
        int fd = (int) data;
        if (fd == WAKEUP_FD_MARK) {
            wakeup.drain(state);
            return;
        }
        Watched w = fd < table.length ? table[fd] : null;
        if (w == null || w.generation != (int) (data >>> 32)) {
            return; // closed earlier in this batch
        }
        try {
            w.ready(events);
        } catch (RuntimeException | OutOfMemoryError e) {
            // The heap ran out on this connection's buffer (a crowd sending without reading, a limit the
            // heap cannot hold): closing it gives its buffers back, and the loop serves the others on.
            if (w instanceof Connection c) {
                c.crashed(e);
            } else {
                config.events().warning("epoll engine: " + w + " failed: " + e);
            }
        }
    }

    /** The milliseconds epoll_wait may sleep: 0 with work waiting, -1 with no deadline at all. */
    private int timeout() {
        if (!again.isEmpty() || !tasks.isEmpty()) {
            return 0;
        }
        boolean noIdle = idle == null || idle.isEmpty();
        if (noIdle && linger.isEmpty() && timers.isEmpty()) {
            return -1;
        }
        long t = System.nanoTime();
        long next = earliest(earliest(noIdle ? -1 : idle.nanosToNext(t), linger.nanosToNext(t)),
                timers.isEmpty() ? -1 : Math.max(0, timers.peek().deadline - t));
        if (next < 0) {
            return -1;
        }
        return (int) Math.min(Integer.MAX_VALUE, (next + 999_999) / 1_000_000);
    }

    private static long earliest(long a, long b) {
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    private void runAgain() {
        for (int n = again.size(); n > 0; n--) {
            Connection c = again.poll();
            c.again = false;
            if (!c.isClosed()) {
                try {
                    c.resumeRound();
                } catch (RuntimeException | OutOfMemoryError e) {
                    c.crashed(e);
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                config.events().warning("epoll engine: a task failed: " + e);
            }
        }
    }

    private void runDeadlines() {
        long t = now;
        Connection c;
        if (idle != null) {
            while ((c = idle.pollExpired(t)) != null) {
                c.expired();
            }
        }
        while ((c = linger.pollExpired(t)) != null) {
            c.expired();
        }
        while (!timers.isEmpty() && timers.peek().deadline - t <= 0) {
            timers.poll().action.run();
        }
    }

    /** Runs {@code task} on the loop's thread: from another thread, the loop is woken for it. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread && !wakeupPending.getAndSet(true)) {
            wakeup.signal();
        }
    }

    /** Runs {@code action} on the loop's thread once {@code nanos} have passed. */
    void schedule(long nanos, Runnable action) {
        timers.add(new Timer(System.nanoTime() + nanos, action));
    }

    /**
     * A buffer of the configured size for a connection's pending output or held input. Up to
     * {@link #SPARES} are kept once given back: a bulk stream fills and drains its buffer many times a
     * second, and a fresh one each time is a zeroed allocation each time (measured: ~100 MB/s of
     * garbage for one stream).
     */
    ByteBuffer takeBuffer() {
        ByteBuffer b = spares.poll();
        return b == null ? ByteBuffer.allocate(config.bufferSize()) : b.clear();
    }

    /** Gives back a buffer {@link #takeBuffer} handed out (null: nothing). */
    void giveBuffer(ByteBuffer b) {
        if (b != null && spares.size() < SPARES) {
            spares.push(b);
        }
    }

    /** Takes {@code c} up again after the others had their turn. */
    void again(Connection c) {
        if (!c.again) {
            c.again = true;
            again.add(c);
        }
    }

    /** Watches {@code w}'s descriptor for {@code events} under a new generation: 0, or -errno. */
    int register(Watched w, int events) {
        int fd = w.fd;
        if (fd >= table.length) {
            table = Arrays.copyOf(table, Math.max(fd + 1, table.length * 2));
        }
        w.generation = ++generations;
        table[fd] = w;
        return epoll.add(fd, events, ((long) w.generation << 32) | (fd & 0xffffffffL));
    }

    /** Registrations so far: each takes a new generation. Read by the tests, from another thread. */
    int registrations() {
        java.util.concurrent.CompletableFuture<Integer> n = new java.util.concurrent.CompletableFuture<>();
        execute(() -> n.complete(generations));
        return n.join();
    }

    /** Forgets a connection about to be closed; closing the descriptor removes it from epoll. */
    void forget(Watched w) {
        if (w.fd < table.length && table[w.fd] == w) {
            table[w.fd] = null;
        }
    }

    /** Connections this loop serves or has been handed: read by the loops that accept, to spread the load. */
    final AtomicInteger load = new AtomicInteger();

    /** A newly accepted socket: its options, then its session. */
    void open(int fd, AcceptHandler origin, String peer) {
        Listening l = origin.listening;
        try {
            if (l.options != null) {
                // The listener's options, as the threads engine sets them: nothing at all when none are set.
                NativeSocketOptions.apply(state, optionScratch, fd, l.options, l.tcp());
            }
        } catch (ErrnoException e) {
            if (e.is(Errno.EINVAL) || e.is(Errno.ECONNRESET)) {
                // the peer is already gone (Linux says EINVAL for options on a reset socket); the first read says so
            } else {
                config.events().warning("cannot set " + l.listener.options() + " on a connection to " + l.listener + ": " + e.getMessage());
            }
        }
        Connection c = new Connection(this, fd, origin, peer, config.bufferSize());
        engine.connections.add(c);
        c.start(); // registers the socket if the session does not finish at once
    }

    /**
     * {@code 127.0.0.1:51234}, {@code [::1]:51234}, or for a Unix socket the process behind it,
     * {@code unix:(pid 1234 uid 0)}: the same words the threads engine uses.
     */
    String peerName(int fd) {
        int length = addressLength.get(JAVA_INT, 0);
        String inet4 = SocketAddresses.inet4Text(address, length);
        if (inet4 != null) {
            return inet4;
        }
        SocketAddress a;
        try {
            a = SocketAddresses.decode(address, length);
        } catch (IllegalArgumentException e) {
            return "(unknown)";
        }
        if (a instanceof InetSocketAddress inet) {
            return Addresses.format(inet);
        }
        String who = PeerCredentials.of(fd).map(PeerCredentials::toString).orElse("unnamed");
        UnixSocketAddress u = a instanceof UnixSocketAddress x ? x : UnixSocketAddress.unnamed();
        return u.isUnnamed() ? "unix:(" + who + ")" : u + " (" + who + ")";
    }

    /** SO_ERROR: the pending error of a socket (clearing it), 0 when none. */
    int socketError(int fd) {
        errorLength.set(JAVA_INT, 0, 4);
        int r = Libc.getsockopt(state, fd, Libc.SOL_SOCKET, Libc.SO_ERROR, optionScratch, errorLength);
        return r < 0 ? -r : optionScratch.get(JAVA_INT, 0);
    }

    /** Ends the loop after its current turn (from any thread). */
    void shutdown() {
        execute(() -> running = false);
    }

    private void close() {
        epoll.close();
        wakeup.close();
        arena.close();
    }

    @Override
    public String toString() {
        return thread.getName();
    }
}
