package dev.sockit.engine;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The open connections of an engine: a limit on how many, a way to wait until none is left, and a
 * way to close them all. Every connection takes a token before it is accepted and gives it back in
 * its {@code finally}, whatever happened.
 */
final class Connections {
    private final Semaphore tokens;
    private final Set<Member> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition empty = lock.newCondition();

    Connections(int max) {
        this.tokens = new Semaphore(max);
    }

    /** Blocks until a connection may be accepted. */
    void acquire() throws InterruptedException {
        tokens.acquire();
    }

    void add(Member c) {
        open.add(c);
    }

    /** Ends a connection's life: called exactly once per acquired token. */
    void release(Member c) {
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

    int count() {
        return open.size();
    }

    boolean awaitEmpty(Instant deadline) throws InterruptedException {
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

    Set<Member> snapshot() {
        return Set.copyOf(open);
    }

    void closeAll(String because) {
        for (Member c : snapshot()) {
            c.closeChannel(because);
        }
    }

    /** An open connection, as far as the tracker needs to know it. */
    interface Member {
        /** Closes the socket from any thread; the connection's own thread then fails and ends it. */
        void closeChannel(String because);
    }
}
