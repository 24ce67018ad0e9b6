package dev.sockit.engine;

import dev.sockit.io.ByteStream;
import dev.sockit.io.ExactIO;
import dev.sockit.server.ConnectionRecord;
import dev.sockit.server.Listener;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.Output;
import dev.sockit.service.StreamService;
import dev.sockit.service.StreamSession;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection of the {@code threads} engine, driven by one (virtual) thread with blocking reads
 * and writes. The session's output is flushed after every event, so a peer that does not read
 * blocks our write, and while we wait we read nothing more: TCP flow control is the back-pressure.
 *
 * <p>Buffers are adaptive: input starts at {@link #FIRST_INPUT} bytes and doubles each time a read
 * fills it, output is only allocated when a session first writes ({@link #FIRST_OUTPUT}) and doubles each time a session
 * fills it, both up to the configured buffer size. An idle connection then costs a few hundred bytes
 * of buffer instead of two full-size ones (32 KiB by default), while a bulk transfer reaches full size within a few reads.
 */
final class BlockingConnection implements Runnable, Output, Connections.Member {
    /** How long a closing connection waits for the peer's end of stream before it just closes. */
    static final long LINGER_NANOS = 1_000_000_000L;
    /** How much a closing connection reads and drops while it lingers. */
    private static final int LINGER_BYTES = 256 * 1024;
    /**
     * The first input buffer: a small message; doubles as soon as a read fills it, so a request line
     * reaches 256 bytes in two more reads. Every idle connection keeps this buffer, so it is small.
     */
    static final int FIRST_INPUT = 64;
    /** The first output buffer: more than any one-shot reply (512 bytes). */
    static final int FIRST_OUTPUT = 1024;
    private static final ByteBuffer NO_OUTPUT = ByteBuffer.allocate(0);

    /** What every connection of one listener shares. */
    record Shared(Listener listener, StreamService service, Connections connections, ServerEvents events, int maxBuffer,
                  long busyPollNanos) {
    }

    /**
     * A connection busy-polls only while the engine serves this many connections or fewer: one
     * carrier each, so a polling connection never holds up another that has input.
     */
    static final int BUSY_POLL_CONNECTIONS = Runtime.getRuntime().availableProcessors();

    private final Shared shared;
    /** Reads and writes go to {@code channel.io()}, looked up at each call rather than kept in a field. */
    private final ByteStream channel;
    private final String peer;
    private ByteBuffer in;
    private ByteBuffer out = NO_OUTPUT;
    private boolean closing;
    private boolean wantWritable;
    /** The last read returned less than there was room for: the peer had nothing more to send just then. */
    private boolean drained;
    private long bytesIn;
    private long bytesOut;
    /** How long this connection's thread has kept its carrier. */
    private final CarrierSlice slice = new CarrierSlice(System.nanoTime());
    /** The thread that serves the connection: the only one its session may write from. */
    private Thread thread;

    /** Read by the reaper: when this connection last moved a byte, and when its lingering close must end. */
    volatile long lastActivity = System.nanoTime();
    volatile long lingerDeadline;
    /** Why the channel was closed from outside (idle timeout, stop), for the log line. */
    volatile String closedBecause;

    BlockingConnection(Shared shared, ByteStream channel, String peer) {
        this.shared = shared;
        this.channel = channel;
        this.peer = peer;
        this.in = ByteBuffer.allocate(Math.min(FIRST_INPUT, shared.maxBuffer()));
    }

    @Override
    public String peer() {
        return peer;
    }

    /**
     * Serves the connection to its end, reports it, and always releases the socket and the limit
     * token. The connection's thread runs this directly, and the read loop is in this one frame: an
     * idle connection's thread parks in its read, and every frame from here down is copied to the
     * heap and kept there while it waits (~100 B for each frame not yet compiled by the JIT).
     */
    @Override
    public void run() {
        thread = Thread.currentThread();
        long start = System.nanoTime();
        Throwable failure = null;
        try {
            StreamSession session = shared.service().open(peer);
            session.opened(this);
            flush();
            boolean peerOpen = true;
            while (!closing) {
                if (slice.due(lastActivity)) {
                    // A timed park unmounts the thread and it comes back through the timer, so the
                    // carrier runs whatever else is queued first. Costs a few µs each slice.
                    LockSupport.parkNanos(1);
                    slice.steppedAside(System.nanoTime());
                }
                if (wantWritable) {
                    session.writable(this);
                    flush();
                } else if (!peerOpen) {
                    break; // the session neither closes nor writes, and the peer will send no more
                } else {
                    int room = in.remaining();
                    int n = drained ? awaitInput() : 0;
                    if (n == 0) {
                        long asked = System.nanoTime();
                        n = channel.io().read(in);
                        slice.waited(asked, System.nanoTime());
                    }
                    drained = n < room;
                    if (n >= 0) {
                        bytesIn += n;
                        deliver(session);
                    } else {
                        peerOpen = false;
                        deliver(session);
                        if (!closing) {
                            session.peerClosed(this);
                            flush();
                        }
                    }
                }
            }
            if (peerOpen) {
                lingeringClose();
            }
        } catch (Throwable t) {
            failure = t;
        }
        ended(start, failure);
    }

    /**
     * Called when the last read took all the peer had sent, so a read now would most likely find
     * nothing and park this thread: a failed read, an epoll_ctl, and a wake-up through the JDK's
     * poller and the scheduler, tens of microseconds on a virtual machine. With few connections the
     * next message is polled for instead, as the epoll engine's loop does (pingpong at one connection
     * ~17k -> ~43k messages/s, 1.6× Netty); with many, the carrier's other connections go first, which gives the
     * next message time to arrive (100 connections: ~120k -> ~150k messages/s). A bulk sender fills
     * the buffer and is never made to wait. Returns what a poll read, else 0.
     *
     * <p>The yield comes once, before the poll too: yielding on every try of a poll made it slower
     * than parking when the process had two CPUs (pingpong, one connection, unpinned: ~15k against
     * ~30k messages/s), since a yield with nothing else queued wakes another carrier to take the
     * thread over. A yield does not make a carrier look at its other queues either (it takes the
     * thread straight back), which is why the run loop also steps aside by parking ({@link CarrierSlice}).
     */
    private int awaitInput() throws IOException {
        long yielded = System.nanoTime();
        Thread.yield();
        long back = System.nanoTime();
        slice.waited(yielded, back);
        if (shared.busyPollNanos() > 0 && shared.connections().count() <= BUSY_POLL_CONNECTIONS) {
            return channel.poll(in, back + shared.busyPollNanos());
        }
        return 0;
    }

    /** Reports how the connection ended; always closes the socket and gives the limit token back. */
    private void ended(long start, Throwable failure) {
        String outcome = "closed";
        try {
            if (failure instanceof IOException e) {
                outcome = closedBecause != null ? closedBecause : Failures.describe(e);
                if (closedBecause == null && !Failures.peerCaused(e)) {
                    shared.events().warning(shared.listener().service().name() + " connection from " + peer + " failed: " + e);
                }
            } else if (failure != null) {
                outcome = "error: " + failure;
                shared.events().warning(shared.listener().service().name() + " session for " + peer + " failed, connection closed: " + failure, failure);
            }
        } finally {
            closeSocket();
            shared.connections().closed(this);
            try {
                shared.events().connectionEnded(new ConnectionRecord(shared.listener(), peer, bytesIn, bytesOut,
                        Duration.ofNanos(System.nanoTime() - start), outcome));
            } finally {
                shared.connections().release(this); // last: whoever waits for an idle engine also sees this connection's record
            }
        }
    }

    /** Offers what was read to the session until it is all consumed or the session waits for more. */
    private void deliver(StreamSession session) throws IOException {
        lastActivity = System.nanoTime();
        in.flip();
        while (in.hasRemaining() && !closing) {
            int before = in.remaining();
            session.received(in, this);
            boolean wrote = out.position() > 0;
            flush();
            if (in.remaining() == before && !wrote) {
                break; // a partial message: wait for more input
            }
        }
        if (closing) {
            in.clear();
            return;
        }
        boolean filled = in.limit() == in.capacity();
        in.compact();
        if (filled && in.capacity() < shared.maxBuffer()) {
            // The read filled the buffer: the peer sends faster than this size carries, or the
            // session waits for a message longer than it. Either way, a bigger one.
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(shared.maxBuffer(), in.capacity() * 2));
            in = bigger.put(in.flip());
        } else if (!in.hasRemaining()) {
            throw new IOException("session consumed nothing from a full input buffer of " + in.capacity() + " bytes");
        }
    }

    private void flush() throws IOException {
        if (out.position() == 0) {
            return;
        }
        boolean filled = out.position() == out.capacity();
        out.flip();
        bytesOut += out.remaining();
        ExactIO.writeFully(channel.io(), out);
        out.clear();
        if (filled && out.capacity() < shared.maxBuffer()) {
            out = ByteBuffer.allocate(Math.min(shared.maxBuffer(), out.capacity() * 2)); // the session had more to say
        }
        lastActivity = System.nanoTime();
    }

    /**
     * Sends our FIN; then, if the peer has sent what we have not read, reads and drops what it sends
     * until it closes too. Closing a socket over unread input makes the kernel send a reset instead
     * of the FIN, which can destroy the reply we just wrote before the peer reads it. With nothing
     * unread the socket is closed at once: bytes the peer sends later draw a reset only after our
     * reply and FIN (nginx's rule, and the epoll engine's; see its Connection).
     */
    private void lingeringClose() throws IOException {
        channel.shutdownOutput();
        long dropped = 0;
        in.clear();
        int unread = channel.available();
        if (unread < 0) {
            // the stream cannot tell (a JDK Unix channel): one read that does not wait says instead
            unread = channel.poll(in, System.nanoTime());
            if (unread < 0) {
                return; // the peer has closed too
            }
            dropped = unread;
            bytesIn += unread;
            in.clear();
        }
        if (unread == 0) {
            return;
        }
        lingerDeadline = System.nanoTime() + LINGER_NANOS;
        int n;
        while (dropped < LINGER_BYTES && (n = channel.io().read(in)) >= 0) {
            dropped += n;
            bytesIn += n;
            in.clear();
        }
    }

    @Override
    public int write(ByteBuffer src) {
        checkThread();
        if (closing) {
            return 0;
        }
        allocateOutput();
        int n = Math.min(src.remaining(), out.remaining());
        out.put(out.position(), src, src.position(), n);
        out.position(out.position() + n);
        src.position(src.position() + n);
        return n;
    }

    @Override
    public int room() {
        checkThread();
        if (closing) {
            return 0;
        }
        allocateOutput();
        return out.remaining();
    }

    /** Output is allocated on first use: discard and sink never need any. */
    private void allocateOutput() {
        if (out == NO_OUTPUT) {
            out = ByteBuffer.allocate(Math.min(FIRST_OUTPUT, shared.maxBuffer()));
        }
    }

    @Override
    public void wantWritable(boolean on) {
        checkThread();
        wantWritable = on;
    }

    @Override
    public void close() {
        checkThread();
        closing = true;
    }

    /** Whether {@code t} is this connection's own thread (a connection still open is counted until its record is out). */
    boolean isServedBy(Thread t) {
        return thread == t;
    }

    private void checkThread() {
        if (Thread.currentThread() != thread) {
            throw Failures.outputOffItsThread();
        }
    }

    @Override
    public void closeChannel(String because) {
        if (closedBecause == null) {
            closedBecause = because;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // already closing
        }
    }

    @Override
    public String toString() {
        return shared.listener().service().name() + " " + peer;
    }

    /** The socket is closed here, once, at the end of {@link #run}. */
    private void closeSocket() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
