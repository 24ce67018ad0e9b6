package dev.sockit.client;

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
 */
public final class Connection implements AutoCloseable {
    private final SocketChannel channel;
    private final String peer;
    private final Duration idleTimeout;
    private final List<Attempt> attempts;
    private volatile boolean timedOut;
    /** When a byte last moved either way: a connection busy sending is not idle. */
    private volatile long lastActivity = System.nanoTime();

    /**
     * @param peer        how the peer is shown, e.g. {@code [::1]:7} or {@code unix:/run/echo.sock}
     * @param idleTimeout a read waiting longer than this fails ({@link Duration#ZERO}: reads wait for ever)
     * @param attempts    what became of each address tried (empty for Unix sockets and accepted connections)
     */
    public Connection(SocketChannel channel, String peer, Duration idleTimeout, List<Attempt> attempts) {
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

    public SocketChannel channel() {
        return channel;
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
            int n = channel.read(dst);
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
     * Writes all of {@code src}.
     *
     * @throws ClosedChannelException when we closed the connection
     */
    public void write(ByteBuffer src) throws IOException {
        try {
            while (src.hasRemaining()) {
                if (channel.write(src) > 0) {
                    lastActivity = System.nanoTime();
                }
            }
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("sending to " + peer + " failed: " + Reasons.of(e), e);
        }
    }

    /** Sends our end of stream (FIN) and keeps reading: the half-close. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
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
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return peer;
    }
}
