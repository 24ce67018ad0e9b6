package dev.sockit.engine.epoll;

/**
 * A descriptor an {@link EventLoop} watches, and what to do when it is ready. The loop registers it
 * with a generation number beside the descriptor, so an event still queued for a descriptor that was
 * closed, and whose number was reused within the same batch, is recognised as stale and dropped.
 */
abstract class Watched {
    final int fd;
    int generation;

    Watched(int fd) {
        this.fd = fd;
    }

    /** Called on the loop's thread with the epoll event mask. */
    abstract void ready(int events);
}
