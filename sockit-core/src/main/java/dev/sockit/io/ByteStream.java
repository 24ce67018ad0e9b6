package dev.sockit.io;

import java.io.IOException;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/**
 * A connected stream socket as an engine drives it, whatever made it: the JDK's {@link SocketChannel}
 * ({@link #of}) for TCP and Unix paths, {@code dev.sockit.linux} for Linux abstract names. Reads and
 * writes block, as a blocking {@code SocketChannel}'s do.
 */
public interface ByteStream extends ByteChannel {

    /** Sends end of stream (FIN); reading goes on. */
    void shutdownOutput() throws IOException;

    /**
     * Bytes that can be read now without blocking (the kernel's FIONREAD), 0 at end of stream; -1
     * when this stream cannot tell.
     */
    default int available() throws IOException {
        return -1;
    }

    /**
     * Reads what arrives before {@code deadline} ({@link System#nanoTime()}) without parking the
     * thread, trying again and again: a busy poll. It keeps the thread's carrier meanwhile; when
     * other threads should go first is the caller's decision.
     * Returns the bytes read, 0 when nothing came in time (or this stream cannot poll), -1 at end of
     * stream. Reads block again afterwards.
     */
    default int poll(java.nio.ByteBuffer dst, long deadline) throws IOException {
        return 0;
    }

    /** True when reads block inside a native call, which would pin a virtual thread to its carrier. */
    default boolean blocksInNativeCode() {
        return false;
    }

    /**
     * Where reads and writes can go directly: the JDK channel itself for a stream made by {@link #of},
     * otherwise this stream. A thread that blocks reading from it has one frame fewer on its stack,
     * which a parked virtual thread keeps on the heap for as long as it waits.
     */
    default ByteChannel io() {
        return this;
    }

    /** A stream over a connected, blocking JDK socket channel. */
    static ByteStream of(SocketChannel channel) {
        return new ByteStream() {
            @Override
            public ByteChannel io() {
                return channel;
            }

            @Override
            public int read(java.nio.ByteBuffer dst) throws IOException {
                return channel.read(dst);
            }

            @Override
            public int write(java.nio.ByteBuffer src) throws IOException {
                return channel.write(src);
            }

            @Override
            public void shutdownOutput() throws IOException {
                channel.shutdownOutput();
            }

            /**
             * The mode switches cost no system call once a virtual thread has read: the JDK has made
             * the socket non-blocking for good and parks the thread itself when a read finds nothing.
             */
            @Override
            public int poll(java.nio.ByteBuffer dst, long deadline) throws IOException {
                channel.configureBlocking(false);
                try {
                    int n;
                    while ((n = channel.read(dst)) == 0 && System.nanoTime() - deadline < 0) {
                        Thread.onSpinWait();
                    }
                    return n;
                } finally {
                    channel.configureBlocking(true);
                }
            }

            @Override
            public int available() throws IOException {
                try {
                    return channel.socket().getInputStream().available(); // FIONREAD; the channel is blocking
                } catch (UnsupportedOperationException e) {
                    return -1; // a Unix-domain channel has no socket() view
                }
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }

            @Override
            public String toString() {
                return channel.toString();
            }
        };
    }
}
