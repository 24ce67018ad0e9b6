package dev.sockit.client;

import dev.sockit.io.ByteStream;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * A connected stream socket (TCP or Unix) as a client uses it: reads bounded by an idle timeout (no
 * byte moved either way for that long), whole writes, half-close. One thread may read while another writes.
 *
 * <p>Under it is the JDK's {@link SocketChannel} (TCP, Unix paths) or, for a Linux abstract name, a
 * socket made through libc; nothing but {@link #channel()} and {@link #blocksInNativeCode()} tells which.
 */
public final class Connection implements AutoCloseable {
    private final ByteStream stream;
    /** The JDK channel under {@link #stream}, or null for a socket made through libc. */
    private final SocketChannel channel;
    private final String peer;
    private final Duration idleTimeout;
    private final List<Attempt> attempts;
    private volatile boolean timedOut;
    /** When a byte last moved either way: a connection busy sending is not idle. */
    private volatile long lastActivity = System.nanoTime();

    /**
     * @param peer        how the peer is shown, e.g. {@code [::1]:7} or {@code unix:/run/echo.sock}
     * @param idleTimeout a read or a write waiting longer than this fails ({@link Duration#ZERO}: they wait for ever)
     * @param attempts    what became of each address tried (empty for Unix sockets and accepted connections)
     */
    public Connection(SocketChannel channel, String peer, Duration idleTimeout, List<Attempt> attempts) {
        this(ByteStream.of(channel), channel, peer, idleTimeout, attempts);
    }

    /** A connection over a stream made without the JDK (a Linux abstract name, through {@code dev.sockit.linux}). */
    public Connection(ByteStream stream, String peer, Duration idleTimeout) {
        this(stream, null, peer, idleTimeout, List.of());
    }

    private Connection(ByteStream stream, SocketChannel channel, String peer, Duration idleTimeout, List<Attempt> attempts) {
        this.stream = stream;
        this.channel = channel;
        this.peer = peer;
        this.idleTimeout = idleTimeout;
        this.attempts = List.copyOf(attempts);
    }

    public String peer() {
        return peer;
    }

    public List<Attempt> attempts() {
        return attempts;
    }

    /**
     * The JDK channel, for what only it offers (TCP options, addresses).
     *
     * @throws IllegalStateException for a Linux abstract-name socket, which the JDK did not make
     */
    public SocketChannel channel() {
        if (channel == null) {
            throw new IllegalStateException(peer + " is a Unix socket made through libc; it has no JDK channel");
        }
        return channel;
    }

    ByteStream stream() {
        return stream;
    }

    /**
     * True when the socket's reads and writes block inside native code (abstract names), where a
     * virtual thread would hold its carrier thread for as long: such a connection is worked on by
     * platform threads ({@link Threads}).
     */
    public boolean blocksInNativeCode() {
        return stream.blocksInNativeCode();
    }

    public boolean isOpen() {
        return stream.isOpen();
    }

    /**
     * Reads what is there, waiting at most the idle timeout for something.
     *
     * @return bytes read, or -1 when the peer has finished sending
     * @throws SocketTimeoutException when nothing came for the idle timeout; the connection is then closed
     */
    public int read(ByteBuffer dst) throws IOException {
        Alarm alarm = idleTimeout.isZero() ? null : new Alarm();
        try {
            int n = stream.read(dst);
            lastActivity = System.nanoTime();
            return n;
        } catch (ClosedChannelException e) {
            if (timedOut) {
                throw new SocketTimeoutException("no data from " + peer + " for " + Durations.show(idleTimeout));
            }
            throw e; // closed on our side: the caller knows why
        } catch (IOException e) {
            throw new IOException("connection to " + peer + " failed: " + Reasons.of(e), e);
        } finally {
            if (alarm != null) {
                alarm.cancel();
            }
        }
    }

    /**
     * Writes all of {@code src}. Once the kernel's buffers are full a peer that stops reading would
     * hold the write for ever; instead it fails when no byte has moved either way for the idle
     * timeout (a peer still sending keeps the connection alive, as it keeps a read alive).
     *
     * @throws SocketTimeoutException when nothing moved for the idle timeout; the connection is then closed
     * @throws ClosedChannelException when we closed the connection
     */
    public void write(ByteBuffer src) throws IOException {
        Alarm alarm = idleTimeout.isZero() ? null : new Alarm();
        try {
            while (src.hasRemaining()) {
                if (stream.write(src) > 0) {
                    lastActivity = System.nanoTime();
                }
            }
        } catch (ClosedChannelException e) {
            if (timedOut) {
                throw new SocketTimeoutException(peer + " took none of our data for " + Durations.show(idleTimeout));
            }
            throw e;
        } catch (IOException e) {
            throw new IOException("sending to " + peer + " failed: " + Reasons.of(e), e);
        } finally {
            if (alarm != null) {
                alarm.cancel();
            }
        }
    }

    /** Sends our end of stream (FIN) and keeps reading: the half-close. */
    public void shutdownOutput() throws IOException {
        stream.shutdownOutput();
    }

    /** Closes the connection when it has been idle for the timeout while a read waits; looks again if bytes moved meanwhile. */
    private final class Alarm {
        private ScheduledFuture<?> pending;
        private boolean cancelled;

        Alarm() {
            arm(idleTimeout);
        }

        private synchronized void arm(Duration after) {
            if (!cancelled) {
                pending = Watchdog.arm(after, this::fire);
            }
        }

        private void fire() {
            long idle = System.nanoTime() - lastActivity;
            if (idle < idleTimeout.toNanos()) {
                arm(Duration.ofNanos(idleTimeout.toNanos() - idle));
                return;
            }
            synchronized (this) {
                if (!cancelled) {
                    timedOut = true;
                    closeQuietly();
                }
            }
        }

        synchronized void cancel() {
            cancelled = true;
            pending.cancel(false);
        }
    }

    void closeQuietly() {
        try {
            stream.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }

    @Override
    public String toString() {
        return peer;
    }
}
