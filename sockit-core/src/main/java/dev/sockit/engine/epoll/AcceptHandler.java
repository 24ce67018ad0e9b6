package dev.sockit.engine.epoll;

import dev.sockit.linux.Errno;
import dev.sockit.linux.ErrnoException;
import dev.sockit.linux.Libc;
import dev.sockit.linux.SocketAddresses;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A listener as one loop accepts on it. The listener is level-triggered, so a loop that stops
 * before the backlog is empty is told again; it is paused (removed from the loop's epoll set) while
 * the connection limit is reached, while an iterative listener serves its one connection, while
 * accept backs off after a failure such as EMFILE, and for good once the server stops accepting.
 *
 * <p>When several loops share a listener they register it with EPOLLEXCLUSIVE, so a new connection
 * wakes one sleeping loop rather than all of them (the thundering herd); a loop that is busy still
 * sees the listener ready and may take the connection first, in which case the other finds EAGAIN.
 * Whoever accepts serves the connection itself, unless another loop has fewer connections by more
 * than one: wake-ups favour whichever loop sleeps, and a burst of connections would otherwise pile
 * onto one loop (measured: 28 and 72 of 100 connections opened at once; balanced, 49 and 51).
 * How many connections one wake-up accepts is the {@link AcceptBatch}'s to say.
 */
final class AcceptHandler extends Watched {
    static final int STOPPED = 1;
    static final int LIMIT = 2;
    static final int BACKOFF = 4;
    static final int ITERATIVE = 8;

    final EventLoop loop;
    final Listening listening;
    private final AcceptBatch batch = new AcceptBatch();
    private boolean exclusive;
    private int paused = STOPPED; // not registered until started

    AcceptHandler(EventLoop loop, Listening listening, boolean exclusive) {
        super(listening.fd);
        this.loop = loop;
        this.listening = listening;
        this.exclusive = exclusive;
    }

    /** On the loop's thread: starts watching the listener. */
    void start() {
        resume(STOPPED);
    }

    /** On the loop's thread: stops for good (the listener is about to be closed). */
    void stop() {
        pause(STOPPED);
        paused = STOPPED | LIMIT | BACKOFF | ITERATIVE; // nothing resumes it now
    }

    @Override
    void ready(int events) {
        int limit = batch.limit();
        for (int i = 0; i < limit && paused == 0; i++) {
            switch (acceptOne()) {
                case EMPTY -> {
                    batch.drained(i);
                    return;
                }
                case STOP -> {
                    return;
                }
                case NEXT -> { }
            }
        }
        if (listening.iterative && listening.active > 0) {
            pause(ITERATIVE); // its one connection is open: not to be woken for the next meanwhile
        } else if (paused == 0) {
            batch.taken(limit);
        }
    }

    private enum Step { NEXT, EMPTY, STOP }

    /** One accept: NEXT to try another, EMPTY when the backlog is, STOP when paused or backing off. */
    private Step acceptOne() {
        EpollEngine engine = loop.engine;
        if (listening.iterative && listening.active > 0) {
            pause(ITERATIVE);
            return Step.STOP;
        }
        if (!engine.connections.tryAcquire()) {
            waitForToken();
            return Step.STOP;
        }
        loop.addressLength.set(JAVA_INT, 0, SocketAddresses.STORAGE);
        int fd = Libc.accept(loop.state, this.fd, loop.address, loop.addressLength, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
        if (fd < 0) {
            engine.giveBackToken();
            int errno = -fd;
            if (errno == Errno.EAGAIN.code()) {
                return Step.EMPTY;
            }
            if (passing(errno)) {
                return Step.NEXT;
            }
            backOff(new ErrnoException("accept", errno));
            return Step.STOP;
        }
        listening.succeeded();
        String peer = loop.peerName(fd);
        if (!engine.connections.admit(peer)) {
            Libc.close(loop.state, fd); // not allowed by the access list, or its source has as many open as the per-source limit allows
            engine.giveBackToken();
            return Step.NEXT;
        }
        if (listening.iterative) {
            listening.active++;
        }
        // Served here, unless another loop carries fewer connections: then it goes there (an
        // iterative listener's stay on its one loop, which counts them).
        EventLoop target = listening.iterative ? loop : engine.lightest(loop);
        target.load.incrementAndGet();
        if (target == loop) {
            loop.open(fd, this, peer);
        } else {
            target.execute(() -> target.open(fd, this, peer));
        }
        return Step.NEXT;
    }

    /** A failure that concerns only the connection being accepted: try the next one. */
    private static boolean passing(int errno) {
        return errno == Errno.EINTR.code() || errno == Errno.ECONNABORTED.code() || errno == 71 /* EPROTO */
                || errno == Errno.EPERM.code() /* a firewall rule refused it */;
    }

    /** EMFILE, ENFILE, ENOBUFS...: the listener stays readable, so instead of spinning, pause and come back later. */
    private void backOff(ErrnoException e) {
        long millis = listening.failed(e);
        pause(BACKOFF);
        loop.schedule(millis * 1_000_000L, () -> resume(BACKOFF));
    }

    /**
     * At the connection limit: pause until a connection ends. The token may have come back between
     * the failed try and joining the waiters, so look once more after joining.
     */
    private void waitForToken() {
        if (clientWaits()) {
            loop.engine.connections.heldBack();
        }
        pause(LIMIT);
        EpollEngine engine = loop.engine;
        engine.tokenWaiters.add(this);
        if (engine.connections.available() > 0) {
            engine.wakeTokenWaiters();
        }
    }

    /** Whether a client waits in the backlog (a batch may end at the limit with none left): one poll(2), only at the limit. */
    private boolean clientWaits() {
        try {
            return (Libc.poll(fd, Libc.POLLIN, 0) & Libc.POLLIN) != 0;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** On the loop's thread, after a connection ended (any loop's). */
    void tokenFreed() {
        resume(LIMIT);
    }

    /** On the loop's thread, after a connection of this iterative listener ended. */
    void slotFreed() {
        resume(ITERATIVE);
    }

    void pause(int why) {
        boolean wasWatching = paused == 0;
        paused |= why;
        if (wasWatching) {
            loop.epoll.remove(fd);
        }
    }

    void resume(int why) {
        if ((paused & why) == 0) {
            return;
        }
        paused &= ~why;
        if (paused != 0) {
            return;
        }
        int r = loop.register(this, Libc.EPOLLIN | (exclusive ? Libc.EPOLLEXCLUSIVE : 0));
        if (r == -Errno.EINVAL.code() && exclusive) {
            exclusive = false; // a kernel before 4.5: every loop is woken, and all but one find EAGAIN
            r = loop.register(this, Libc.EPOLLIN);
        }
        if (r < 0) {
            loop.engine.config.events().warning("cannot watch " + listening + " for connections: " + new ErrnoException("epoll_ctl", -r).getMessage());
        }
    }
}
