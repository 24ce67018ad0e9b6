package dev.sockit.linux;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file descriptor shared by threads, closed safely. {@link #close()} from any thread shuts the socket
 * down, which wakes every call blocked on it (recvfrom and read return 0, accept fails), and the
 * descriptor itself is released only when the last call using it has returned. Closing it under a
 * running call instead would let the number be reused by another open() and the call act on that.
 */
final class Descriptor {
    private final int fd;
    private final Runnable onRelease;
    private final ReentrantLock lock = new ReentrantLock();
    private int users;
    private volatile boolean closed;
    private boolean released;

    /** False for a socket we share with another process (socket activation), which a shutdown would end for it too. */
    private final boolean shutdownToWake;

    Descriptor(int fd, Runnable onRelease) {
        this(fd, onRelease, true);
    }

    /**
     * @param shutdownToWake whether {@link #close()} shuts the socket down to wake blocked calls; when
     *                       not, they must wake by themselves (a receive timeout) and see it closed
     */
    Descriptor(int fd, Runnable onRelease, boolean shutdownToWake) {
        this.fd = fd;
        this.onRelease = onRelease;
        this.shutdownToWake = shutdownToWake;
    }

    /** The descriptor, for one call; pair with {@link #leave()} in a finally block. */
    int enter() throws ClosedChannelException {
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            users++;
            return fd;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code callLock}, then the descriptor for one call; if the descriptor is closed, gives the
     * lock back before it throws. Pair with {@link #leave()} and the lock's unlock in a finally block.
     */
    int enter(ReentrantLock callLock) throws ClosedChannelException {
        callLock.lock();
        try {
            return enter();
        } catch (ClosedChannelException e) {
            callLock.unlock();
            throw e;
        }
    }

    /** How often a wait for input on a socket that is not shut down to wake it ({@link #awaitInput}) looks whether it was closed. */
    static final int WAKE_MILLIS = 200;

    /**
     * For a descriptor closed without a shutdown: waits until the socket ({@code d}, from {@link #enter})
     * has something to read, looking every {@link #WAKE_MILLIS} whether it was closed meanwhile.
     *
     * @throws AsynchronousCloseException when it was, leaving what came for the socket's next reader
     */
    void awaitInput(int d) throws IOException {
        while (true) {
            int ready = Libc.poll(d, Libc.POLLIN, WAKE_MILLIS);
            throwIfClosed();
            if (ready != 0) {
                return;
            }
        }
    }

    void leave() {
        lock.lock();
        try {
            users--;
            releaseIfDone();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** What a call that failed or returned early should throw if the reason was {@link #close()}. */
    void throwIfClosed() throws AsynchronousCloseException {
        if (closed) {
            throw new AsynchronousCloseException();
        }
    }

    /** Wakes every blocked call (unless told not to shut down) and releases the descriptor once they have all returned. */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (shutdownToWake) {
                try {
                    Libc.shutdown(fd, Libc.SHUT_RDWR);
                } catch (ErrnoException ignored) {
                    // not connected (ENOTCONN): nothing blocked on it needs waking that shutdown could wake
                }
            }
            releaseIfDone();
        } finally {
            lock.unlock();
        }
    }

    private void releaseIfDone() {
        if (closed && users == 0 && !released) {
            released = true;
            try {
                Libc.close(fd);
            } catch (ErrnoException ignored) {
                // the descriptor is gone either way
            } finally {
                onRelease.run();
            }
        }
    }
}
