package dev.sockit.engine.epoll;

/**
 * Connections in the order their deadline falls, when every deadline is "the last touch plus one
 * fixed timeout": the idle timeout, or the lingering close's one second. Touching moves a connection
 * to the tail, so the head is always the next to expire: O(1) per touch and per expiry, whatever the
 * number of connections, where a periodic sweep of 100,000 idle connections would not be.
 * Intrusive (the links live in {@link Connection}): a connection is in at most one such queue.
 */
final class DeadlineQueue {
    private final long timeoutNanos;
    private Connection head;
    private Connection tail;

    DeadlineQueue(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** (Re)starts {@code c}'s timeout from {@code now}. */
    void touch(Connection c, long now) {
        if (c.queue == this) {
            if (c == tail) {
                c.deadline = now + timeoutNanos;
                return;
            }
            unlink(c);
        } else if (c.queue != null) {
            c.queue.remove(c);
        }
        c.deadline = now + timeoutNanos;
        c.queue = this;
        c.prev = tail;
        c.next = null;
        if (tail == null) {
            head = c;
        } else {
            tail.next = c;
        }
        tail = c;
    }

    void remove(Connection c) {
        if (c.queue == this) {
            unlink(c);
            c.queue = null;
        }
    }

    private void unlink(Connection c) {
        if (c.prev == null) {
            head = c.next;
        } else {
            c.prev.next = c.next;
        }
        if (c.next == null) {
            tail = c.prev;
        } else {
            c.next.prev = c.prev;
        }
        c.prev = null;
        c.next = null;
    }

    /** The connection whose deadline has passed at {@code now}, removed from the queue; null when none has. */
    Connection pollExpired(long now) {
        Connection c = head;
        if (c == null || c.deadline - now > 0) {
            return null;
        }
        remove(c);
        return c;
    }

    boolean isEmpty() {
        return head == null;
    }

    /** Nanoseconds from {@code now} to the earliest deadline, or -1 when the queue is empty. */
    long nanosToNext(long now) {
        return head == null ? -1 : Math.max(0, head.deadline - now);
    }
}
