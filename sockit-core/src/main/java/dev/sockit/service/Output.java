package dev.sockit.service;

import java.nio.ByteBuffer;

/**
 * Where a session writes. It is bounded: {@link #write} takes only what fits, and an engine stops
 * reading from a peer while the session's output is full. That one rule keeps memory bounded
 * whatever the peer does: a peer that sends but never reads is held back by TCP flow control.
 *
 * <p>An output is used only inside its session's callbacks, on the thread that calls them; from any
 * other thread (a timer, say) its methods throw IllegalStateException. A session writes when it is
 * called: on input, or at {@link StreamSession#writable} when it asked for room.
 */
public interface Output {

    /** Copies as much of {@code src} as fits (advancing its position) and returns how many bytes were taken. */
    int write(ByteBuffer src);

    /**
     * How many bytes {@link #write} would take now, at least: an engine that hands bytes straight to
     * the kernel (epoll) may take more, since what the kernel accepts at once is never held.
     */
    int room();

    /** Asks to be called at {@link StreamSession#writable} whenever there is room (chargen), or no longer. */
    void wantWritable(boolean on);

    /** Sends everything already written, then closes the connection. Later writes are ignored. */
    void close();

    /**
     * {@link #write} then {@link #close}, said at once by a session whose whole answer is one write
     * (daytime, time, qotd): an engine that knows the end follows may send the bytes and its FIN in
     * one segment, which spares the peer a wake-up and both sides a packet each way. As with write,
     * what does not fit is not sent (the count says what was taken). Make it the last thing a
     * callback does: the bytes may wait for the callback to return.
     */
    default int writeAndClose(ByteBuffer last) {
        int n = write(last);
        close();
        return n;
    }
}
