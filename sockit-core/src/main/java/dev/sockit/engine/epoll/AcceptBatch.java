package dev.sockit.engine.epoll;

/**
 * How many connections one wake-up of a listener accepts. Accepting until accept(2) finds the
 * backlog empty costs that failing call on every wake-up: when wake-ups bring one connection each
 * (a server keeping up), a system call per connection. Accepting one per wake-up costs an
 * epoll_wait per connection instead once a backlog forms. So the batch follows the backlog: one
 * while wake-ups bring one, doubling while each batch is taken whole, and back to what the last
 * wake-up found once accept finds none left. At one, every eighth wake-up tries a second accept
 * to notice a backlog forming. Not thread-safe: one loop's listener.
 */
final class AcceptBatch {
    /** At most this many per wake-up before the loop turns to its connections (as Netty's 16 messages per read). */
    static final int MAX = 16;
    private static final int PROBE_EVERY = 8;
    private int size = 1;
    private int wakeups;

    /** How many to accept on this wake-up, unless the backlog empties first. */
    int limit() {
        if (size == 1 && ++wakeups % PROBE_EVERY == 0) {
            return 2;
        }
        return size;
    }

    /** Accept found the backlog empty after taking {@code accepted}. */
    void drained(int accepted) {
        size = Math.max(1, accepted);
    }

    /** All {@code limit} were taken without finding the backlog empty: it may hold more. */
    void taken(int limit) {
        if (limit > 1) {
            size = Math.min(MAX, 2 * limit);
        }
    }
}
