package dev.sockit.engine;

import dev.sockit.server.ServerEvents;

import dev.sockit.net.AccessList;

import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open connections of an engine: a limit on how many, a way to wait until none is left, and a
 * way to close them all. Every connection takes a token (the threads engine just after the accept,
 * an event loop before it) and gives it back in its {@code finally}, whatever happened. Shared by
 * the engines (the {@code threads} engine waits in {@link #tryAcquire(long)},
 * an event loop, which must not block, uses {@link #tryAcquire()}).
 */
public final class Connections {
    private final Semaphore tokens;
    private final Set<Member> open = ConcurrentHashMap.newKeySet();
    private final Set<Member> openView = Collections.unmodifiableSet(open);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition empty = lock.newCondition();

    private final AccessGate gate;
    private final SourceLimit sources;

    private final int max;
    /** Told when the limit holds a client back, at most every {@link #FULL_WARNING_EVERY_NANOS}; null: nobody. */
    private final ServerEvents events;
    private static final long FULL_WARNING_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final AtomicLong lastFullWarning = new AtomicLong(System.nanoTime() - FULL_WARNING_EVERY_NANOS);

    public Connections(int max) {
        this(max, new AccessGate(AccessList.OPEN, null), new SourceLimit(0, null), null);
    }

    /** The connections of an engine told {@code config}: its connection limit, access list and per-source limit. */
    public static Connections of(EngineConfig config) {
        return new Connections(config.maxConnections(), new AccessGate(config.access(), config.events()),
                new SourceLimit(config.maxPerSource(), config.events()), config.events());
    }

    /** @param sources how many connections one source (an address; for IPv6, its /64) may have open at once */
    Connections(int max, AccessGate gate, SourceLimit sources, ServerEvents events) {
        this.tokens = new Semaphore(max);
        this.max = max;
        this.gate = gate;
        this.sources = sources;
        this.events = events;
    }

    /** The limit holds a client back: said, at most every 10 s, since a full server is otherwise silent while clients time out. */
    public void heldBack() {
        long now = System.nanoTime();
        long last = lastFullWarning.get();
        if (events != null && now - last >= FULL_WARNING_EVERY_NANOS && lastFullWarning.compareAndSet(last, now)) {
            events.warning("all " + max + " connections the limit allows are open: new clients wait in the listen backlog until one"
                    + " closes (raise --max-connections, or set --idle-timeout to close silent ones)");
        }
    }

    /**
     * After the accept, with its token taken: whether the connection from {@code peer} may be served,
     * or must be closed at once (the access list does not allow its address, or its source has as
     * many open as the per-source limit allows; the caller then gives the token back). One that may is
     * counted until its {@link #closed}.
     */
    public boolean admit(String peer) {
        return gate.admits(peer) && sources.enter(peer);
    }

    /** Says the refusals (access list, per-source limit) not yet said: at stop, once no more can come. */
    public void reportRefusals() {
        gate.reportRefusals();
        sources.reportRefusals();
    }

    /** Takes a token within {@code millis}: false when none came free meanwhile. */
    public boolean tryAcquire(long millis) throws InterruptedException {
        boolean taken = tokens.tryAcquire(millis, TimeUnit.MILLISECONDS);
        if (!taken) {
            heldBack(); // the caller holds an accepted connection that waits
        }
        return taken;
    }

    /** Takes a token if one is free at once: false when the limit is reached. */
    public boolean tryAcquire() {
        return tokens.tryAcquire();
    }

    /** Returns a token taken by {@link #tryAcquire} that no connection came of (the accept found none). */
    public void giveBack() {
        tokens.release();
    }

    /** Tokens free now (for an acceptor that paused at the limit and must not miss the one freed meanwhile). */
    public int available() {
        return tokens.availablePermits();
    }

    public void add(Member c) {
        open.add(c);
    }

    /**
     * A connection {@link #admit} let in has closed its socket: its source may open another. Called
     * before its record is reported, so that whoever sees the record may connect again at once.
     */
    public void closed(Member c) {
        sources.leave(c.peer());
    }

    /** A connection {@link #admit} let in was never served (no memory for it): its source and its token are free again. */
    public void abandoned(String peer) {
        sources.leave(peer);
        release(null);
    }

    /** Ends a connection's life: called exactly once per acquired token. */
    public void release(Member c) {
        if (c != null) {
            open.remove(c);
        }
        tokens.release();
        lock.lock();
        try {
            if (open.isEmpty()) {
                empty.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    public int count() {
        return open.size();
    }

    public boolean awaitEmpty(Instant deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!open.isEmpty()) {
                long nanos = java.time.Duration.between(Instant.now(), deadline).toNanos();
                if (nanos <= 0) {
                    return false;
                }
                empty.awaitNanos(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    public Set<Member> snapshot() {
        return Set.copyOf(open);
    }

    /**
     * The open connections, live: iterating sees each connection open throughout and may or may not
     * see those added or removed meanwhile, and copies nothing. For a periodic sweep, which a
     * snapshot would make allocate in proportion to the connections on every pass.
     */
    public Iterable<Member> live() {
        return openView;
    }

    public void closeAll(String because) {
        for (Member c : snapshot()) {
            c.closeChannel(because);
        }
    }

    /** An open connection, as far as the tracker needs to know it. */
    public interface Member {
        /** Closes the socket from any thread; the connection's own thread then fails and ends it. */
        void closeChannel(String because);

        /** The peer, as the engines name it: {@code 192.0.2.7:51234}, {@code [::1]:51234}, {@code unix:(pid 1 uid 0)}. */
        String peer();
    }
}
