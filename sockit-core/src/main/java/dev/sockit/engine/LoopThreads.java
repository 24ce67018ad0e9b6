package dev.sockit.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The threads that serve many sockets at once: the epoll engine's event loops, and the loops that
 * receive a datagram listener's datagrams. What such a thread calls must not wait on anything slow
 * (standard output, say): every socket on it would wait too, and a datagram has no flow control to
 * slow its sender down. A thread that serves one connection may wait: only that client waits.
 */
public final class LoopThreads {
    private static final Set<Thread> LOOPS = ConcurrentHashMap.newKeySet();

    private LoopThreads() {
    }

    /** Runs {@code loop} on the current thread, known as a loop thread meanwhile. */
    public static void run(Runnable loop) {
        Thread t = Thread.currentThread();
        LOOPS.add(t);
        try {
            loop.run();
        } finally {
            LOOPS.remove(t);
        }
    }

    /** Whether the calling thread serves many sockets and must not wait. */
    public static boolean isCurrent() {
        return !LOOPS.isEmpty() && LOOPS.contains(Thread.currentThread());
    }
}
