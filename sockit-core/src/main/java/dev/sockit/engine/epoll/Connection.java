package dev.sockit.engine.epoll;

import dev.sockit.engine.Connections;
import dev.sockit.engine.Failures;
import dev.sockit.linux.Errno;
import dev.sockit.linux.ErrnoException;
import dev.sockit.linux.Libc;
import dev.sockit.server.ConnectionRecord;
import dev.sockit.service.Output;
import dev.sockit.service.StreamSession;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * One connection of the epoll engine: a non-blocking socket, the session that speaks its protocol,
 * and the state between them. Everything here runs on the connection's loop thread, except
 * {@link #closeChannel}, which hands itself to that thread.
 *
 * <h2>Reading</h2>
 * The socket is registered edge-triggered for input, output and the peer's half-close. On input the
 * loop reads into its own buffer (one per loop, not per connection) until a read comes back short,
 * which for a stream socket means the kernel's queue is empty and the next byte will raise a new
 * edge, and offers each read to the session. A connection that keeps the buffer full is read at most
 * {@link #READS_PER_ROUND} times before the loop turns to the others, then comes back.
 *
 * <h2>Writing</h2>
 * What a session writes goes to the kernel at once, from the session's own buffer (the loop's input
 * buffer for echo: no copy at all). Only what the kernel does not take is copied into a per-connection
 * {@code pending} buffer of at most the configured buffer size; {@link #room()} is what is left of
 * that bound. While anything is pending:
 * <ul>
 *   <li>EPOLLOUT (registered once, edge-triggered) says when the kernel has room again;</li>
 *   <li>input is paused: the socket is simply not read (the registration is edge-triggered, so no
 *       epoll_ctl is needed either way: once output drains, reading resumes at once, and input that came
 *       meanwhile is found then), what the session left unconsumed is kept in {@code held}, and the peer
 *       is held back by TCP flow control. That is the whole back-pressure rule: memory per connection
 *       stays below two buffers whatever the peer does.</li>
 * </ul>
 * Those two buffers are taken from the loop's spare and given back as soon as they empty, so a bulk
 * stream that the kernel keeps refusing does not allocate (and zero) a buffer each time.
 * A connection may send at most {@link #WRITE_BUDGET} bytes per round (chargen would otherwise keep
 * a loop to itself for as long as its peer reads); past it, writes are buffered and the connection
 * is taken up again after the others.
 *
 * <h2>Closing</h2>
 * When the session closes its output, what is pending is sent first. If the peer has closed too, the
 * socket is closed. If not, our side is shut down (FIN), and then:
 * <ul>
 *   <li>if the peer has sent nothing we have not read, the socket is closed at once. Our reply and FIN
 *       are out; bytes the peer sends from now on meet a closed socket, and the reset they draw comes
 *       after them, so the peer reads the reply and its end first (on Linux; tested);</li>
 *   <li>if it has, its input is read and dropped until it closes, for at most a second and 256 KiB
 *       (a lingering close): closing a socket over unread input makes the kernel send a reset
 *       <em>instead of</em> the FIN, which some systems let destroy the reply before the peer reads it.</li>
 * </ul>
 * That is nginx's rule (linger only when the client may still be sending), and it spares the one-shot
 * services (daytime, time, qotd), whose clients mostly send nothing, a wake-up and three system calls
 * per connection. A one-shot connection is never registered with epoll at all: its session answers
 * and closes in {@link #start}, before there is anything to wait for. Its reply is sent with MSG_MORE
 * ({@link #writeAndClose}), so the kernel holds it until the shutdown and sends reply and FIN in one
 * segment: one packet to the peer where there were two, and one ACK fewer back. An idle connection
 * contributes no buffers at all: the heap object and the kernel's socket are all it costs.
 */
final class Connection extends Watched implements Output, Connections.Member {
    static final int READS_PER_ROUND = 16;
    static final int WRITE_BUDGET = 256 * 1024;
    static final long LINGER_NANOS = 1_000_000_000L;
    private static final int LINGER_BYTES = 256 * 1024;
    static final int INTEREST = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
    private static final int EAGAIN = Errno.EAGAIN.code();
    private static final int EINTR = Errno.EINTR.code();

    final EventLoop loop;
    final AcceptHandler origin;
    final String peer;
    private final long started = System.nanoTime();
    private final int bufferSize;
    private StreamSession session;
    private long bytesIn;
    private long bytesOut;
    /** Output the kernel has not taken yet, in read mode; null when none. */
    private ByteBuffer pending;
    /** Input the session has not consumed yet, in read mode; null when none. */
    private ByteBuffer held;
    private boolean closing;
    private boolean wantWritable;
    private boolean eof;
    private boolean inputPaused;
    /** The kernel refused output (EAGAIN or a short send): EPOLLOUT will say when it has room. */
    private boolean blocked;
    /** Reading stopped (budget, or paused) before the kernel's queue was known empty: no new edge may say there is input. */
    private boolean unread;
    /**
     * An event said the peer has sent its FIN (EPOLLRDHUP): once a read comes back short, all
     * before the FIN is read, and end of stream is known without another read returning 0. Kept,
     * not taken from the current event only: the edge that carried it is not raised again.
     */
    private boolean peerDone;
    private boolean lingering;
    /** Bytes went with MSG_MORE and no shutdown has pushed them yet: closing must shut down first (see {@link #close(String)}). */
    private boolean corked;
    private boolean closed;
    private boolean writableCalled;
    private boolean endOffered;
    private int sentThisRound;
    private long lingerDropped;
    /** errno of a send that failed inside a session's callback, acted on once the callback returns. */
    private int failure;
    /** Why the connection was closed from outside (idle timeout, server stopping), for its record. */
    private String closedBecause;
    /** In the loop's again-queue: has work left over from its last round. */
    boolean again;

    // Links of the DeadlineQueue this connection is in (idle timeout or lingering close), if any.
    DeadlineQueue queue;
    Connection prev;
    Connection next;
    long deadline;

    Connection(EventLoop loop, int fd, AcceptHandler origin, String peer, int bufferSize) {
        super(fd);
        this.loop = loop;
        this.origin = origin;
        this.peer = peer;
        this.bufferSize = bufferSize;
    }

    @Override
    public String peer() {
        return peer;
    }

    /** Opens the session, once the socket is registered. */
    void start() {
        touch();
        try {
            session = origin.listening.service.open(peer);
            session.opened(this);
        } catch (RuntimeException | Error e) {
            sessionFailed(e);
            return;
        }
        if (failure != 0) {
            failed(failure, "send");
            return;
        }
        settle();
        if (!closed) {
            register();
        }
    }

    /**
     * Watches the socket from now on. Edge-triggered registration reports what is already ready, so
     * input or room that came before it is not missed.
     */
    private void register() {
        int r = loop.register(this, INTEREST);
        if (r < 0) {
            crashed(new IllegalStateException(new ErrnoException("epoll_ctl", -r).getMessage()));
        }
    }

    @Override
    void ready(int events) {
        newRound();
        if (lingering) {
            if ((events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) {
                dropLingeringInput();
            }
            return;
        }
        if ((events & (Libc.EPOLLOUT | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0 && (pending != null || wantWritable)) {
            writable();
        }
        if ((events & (Libc.EPOLLRDHUP | Libc.EPOLLHUP)) != 0) {
            peerDone = true;
        }
        if (!closed && (unread || (events & (Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLHUP | Libc.EPOLLERR)) != 0) && canRead()) {
            read();
        }
        if (!closed && (events & Libc.EPOLLERR) != 0) {
            int error = loop.socketError(fd);
            if (error != 0) {
                failed(error, "socket");
                return;
            }
        }
        if (!closed) {
            settle();
        }
    }

    /** From the loop's again-queue: the work a budget cut short. */
    void resumeRound() {
        newRound();
        if (lingering) {
            dropLingeringInput();
            return;
        }
        if (pending != null || wantWritable) {
            writable();
        }
        if (!closed && unread && canRead()) {
            read();
        }
        if (!closed) {
            settle();
        }
    }

    private void newRound() {
        sentThisRound = 0;
        writableCalled = false;
    }

    private boolean canRead() {
        return !inputPaused && !eof && !closing;
    }

    // ---- input ------------------------------------------------------------------------------

    /** Reads until the kernel's queue is empty, the session pushes back, or the round's reads are spent. */
    private void read() {
        for (int reads = 0; reads < READS_PER_ROUND; ) {
            long n;
            long asked;
            ByteBuffer in;
            if (held == null) {
                asked = loop.input.byteSize();
                n = Libc.recv(loop.state, fd, loop.input, asked);
                in = n > 0 ? loop.inputView.clear().limit((int) n) : null;
            } else {
                // The session waits for the rest of a message: read behind what it left.
                held.compact();
                if (!held.hasRemaining()) {
                    held.flip();
                    fail("session consumed nothing from a full input buffer of " + held.capacity() + " bytes");
                    return;
                }
                asked = held.remaining();
                n = Libc.recv(loop.state, fd, MemorySegment.ofBuffer(held), asked);
                if (n > 0) {
                    held.position(held.position() + (int) n);
                }
                held.flip();
                in = held;
            }
            if (n > 0) {
                reads++;
                bytesIn += n;
                touch();
                deliver(in);
                if (closed || closing || inputPaused) {
                    unread = n == asked || peerDone;
                    return;
                }
                if (n == asked) {
                    loop.bulk = true;
                }
                if (n < asked) {
                    unread = false;
                    if (peerDone) {
                        peerFinished(); // the half-close came with the event, and all before it is read
                    }
                    return;
                }
                continue;
            }
            if (n == 0) {
                unread = false;
                peerFinished();
                return;
            }
            int errno = (int) -n;
            if (errno == EAGAIN) {
                unread = false;
                return;
            }
            if (errno != EINTR) {
                failed(errno, "recv");
                return;
            }
        }
        unread = true;
        loop.again(this);
    }

    /** Offers input to the session until it is all consumed or the session consumes nothing more. */
    private void deliver(ByteBuffer in) {
        while (in.hasRemaining() && !closing) {
            int before = in.remaining();
            try {
                session.received(in, this);
            } catch (RuntimeException | Error e) {
                sessionFailed(e);
                return;
            }
            if (failure != 0) {
                failed(failure, "send");
                return;
            }
            if (in.remaining() == before) {
                break; // output full, or a partial message: either way, nothing more now
            }
        }
        if (closing || !in.hasRemaining()) {
            if (in == held) {
                loop.giveBuffer(held);
                held = null; // consumed, or dropped by a closing session as the threads engine drops it
            }
            return;
        }
        if (in != held) {
            held = loop.takeBuffer();
            held.put(in).flip();
        }
        if (pending != null) {
            pauseInput();
        }
    }

    private void peerFinished() {
        eof = true;
        offerEnd();
    }

    /**
     * The peer will send no more: offer what is held once more, then tell the session. If the session
     * is still pushing back (output pending), that waits until the output drains ({@link #resumeInput}).
     */
    private void offerEnd() {
        if (held != null && !closing) {
            deliver(held);
            if (closed || (held != null && pending != null)) {
                return;
            }
        }
        if (closing || endOffered) {
            return;
        }
        endOffered = true;
        try {
            session.peerClosed(this);
        } catch (RuntimeException | Error e) {
            sessionFailed(e);
            return;
        }
        if (failure != 0) {
            failed(failure, "send");
        }
    }

    /** Back-pressure: read nothing while output is pending; the peer's sends stall in TCP flow control. */
    private void pauseInput() {
        inputPaused = true;
    }

    /**
     * Output has drained: offer what was held back, then read again. Input that arrived while paused
     * raised its edge then, so it is read now rather than waited for ({@code unread}).
     */
    private void resumeInput() {
        if (held != null) {
            deliver(held);
            if (closed || pending != null || closing) {
                return;
            }
        }
        inputPaused = false;
        if (eof) {
            offerEnd();
            return;
        }
        unread = true;
    }

    // ---- output -----------------------------------------------------------------------------

    @Override
    public int write(ByteBuffer src) {
        checkThread();
        return write(src, 0);
    }

    /** The FIN follows: MSG_MORE holds the reply back until shutdown(2) sends it, FIN and all, in one segment. */
    @Override
    public int writeAndClose(ByteBuffer last) {
        checkThread();
        int n = write(last, Libc.MSG_MORE);
        close();
        return n;
    }

    private int write(ByteBuffer src, int flags) {
        if (closing || closed || failure != 0) {
            return 0;
        }
        int n = src.remaining();
        if (n == 0) {
            return 0;
        }
        while (pending == null && !blocked && sentThisRound < WRITE_BUDGET) {
            long offered = sendable(src);
            long sent = send(src, flags);
            if (sent < 0) {
                if (sent != -EAGAIN) {
                    failure = (int) -sent;
                    return 0;
                }
                blocked = true;
                break;
            }
            src.position(src.position() + (int) sent);
            account(sent);
            if (sent > 0 && (flags & Libc.MSG_MORE) != 0) {
                corked = true;
            }
            if (!src.hasRemaining()) {
                return n;
            }
            if (sent < offered) {
                blocked = true; // a short send: the socket's buffer is full, and EPOLLOUT will say when it is not
            }
        }
        int k = Math.min(room(), src.remaining());
        if (k > 0) {
            if (pending == null) {
                pending = loop.takeBuffer().flip();
            }
            pending.compact();
            pending.put(pending.position(), src, src.position(), k);
            pending.position(pending.position() + k).flip();
            src.position(src.position() + k);
        }
        return n - src.remaining();
    }

    /**
     * What the bound on pending output leaves. A write takes at least this much, often more: what
     * the kernel takes at once does not count against the bound.
     */
    @Override
    public int room() {
        checkThread();
        if (closing || closed || failure != 0) {
            return 0;
        }
        return pending == null ? bufferSize : bufferSize - pending.remaining();
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

    private void checkThread() {
        if (Thread.currentThread() != loop.thread) {
            throw Failures.outputOffItsThread();
        }
    }

    /** How much one {@link #send} offers the kernel: a read-only buffer goes at most a scratch buffer at a time. */
    private long sendable(ByteBuffer src) {
        long length = src.remaining();
        return src != loop.inputView && src.isReadOnly() ? Math.min(length, loop.output.byteSize()) : length;
    }

    /** One send(2) of {@code src}'s remaining bytes; read-only buffers go through the loop's native scratch. */
    private long send(ByteBuffer src, int flags) {
        MemorySegment from;
        long length = src.remaining();
        if (src == loop.inputView) {
            // Echo's case: the loop's own buffer, sent by address.
            while (true) {
                long r = Libc.send(loop.state, fd, loop.inputAddress + src.position(), length, flags);
                if (r != -EINTR) {
                    return r;
                }
            }
        }
        if (src.isReadOnly()) {
            length = Math.min(length, loop.output.byteSize());
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, loop.output, 0, length);
            from = loop.output;
        } else {
            from = MemorySegment.ofBuffer(src);
        }
        while (true) {
            long r = Libc.send(loop.state, fd, from, length, flags);
            if (r != -EINTR) {
                return r;
            }
        }
    }

    private void account(long sent) {
        bytesOut += sent;
        sentThisRound += (int) sent;
        if (sent > 0) {
            touch();
        }
    }

    /** Sends what is pending; true when all of it went. */
    private boolean flush() {
        long sent = send(pending, 0);
        if (sent < 0) {
            if (sent == -EAGAIN) {
                blocked = true;
            } else {
                failed((int) -sent, "send");
            }
            return false;
        }
        pending.position(pending.position() + (int) sent);
        account(sent);
        if (pending.hasRemaining()) {
            blocked = true;
            return false;
        }
        loop.giveBuffer(pending);
        pending = null;
        blocked = false;
        return true;
    }

    /** The kernel has room (EPOLLOUT), or a round's budget was spent: send what is owed, then let the session go on. */
    private void writable() {
        blocked = false;
        if (pending != null && !flush()) {
            return;
        }
        if (closing) {
            return;
        }
        if (inputPaused) {
            resumeInput();
            if (closed || closing || pending != null) {
                return;
            }
        }
        if (wantWritable) {
            callWritable();
        }
    }

    private void callWritable() {
        writableCalled = true;
        try {
            session.writable(this);
        } catch (RuntimeException | Error e) {
            sessionFailed(e);
            return;
        }
        if (failure != 0) {
            failed(failure, "send");
        }
    }

    /**
     * After every event: decides what the connection waits for next, and closes it when it is done.
     */
    private void settle() {
        if (pending != null) {
            if (!blocked) {
                loop.again(this); // held back by the budget, not the kernel: no EPOLLOUT will come
            }
            return;
        }
        if (closing) {
            finishClose();
            return;
        }
        if (wantWritable && !blocked) {
            if (!writableCalled) {
                callWritable(); // wantWritable was turned on outside writable(): start now
                if (closed) {
                    return;
                }
                settle();
                return;
            }
            if (sentThisRound >= WRITE_BUDGET) {
                loop.again(this);
            }
            return;
        }
        if (eof && !wantWritable) {
            close("closed"); // the peer will send no more, and the session has nothing more to say
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    /**
     * Everything owed is sent: close now if the peer has closed; else send our FIN, and close at once
     * unless the peer has sent what we have not read, in which case linger (see the class comment).
     */
    private void finishClose() {
        if (eof) {
            close("closed");
            return;
        }
        lingering = true;
        if (held != null) {
            loop.giveBuffer(held);
            held = null;
        }
        int r = Libc.shutdown(loop.state, fd, Libc.SHUT_WR);
        corked = false;
        if (r < 0) {
            close(Failures.describe(new ErrnoException("shutdown", -r))); // not connected any more: the peer reset it
            return;
        }
        if (!dropLingeringInput(true)) {
            return; // closed: the peer had nothing unread, or has closed too
        }
        loop.linger.touch(this, loop.now);
        inputPaused = false; // the first look read all there was; new input raises an edge
    }

    private void dropLingeringInput() {
        dropLingeringInput(false);
    }

    /**
     * Reads and drops the peer's input until none is left. On the first look after our FIN
     * ({@code first}), finding none at all closes the connection at once. True while it lingers.
     */
    private boolean dropLingeringInput(boolean first) {
        while (true) {
            long n = Libc.recv(loop.state, fd, loop.input, loop.input.byteSize());
            if (n > 0) {
                first = false;
                bytesIn += n;
                lingerDropped += n;
                if (lingerDropped >= LINGER_BYTES) {
                    close("closed");
                    return false;
                }
                continue;
            }
            if (n == 0) {
                close("closed");
                return false;
            }
            int errno = (int) -n;
            if (errno == EAGAIN) {
                if (first) {
                    close("closed"); // nothing unread: our FIN is out and no reset can overtake it
                    return false;
                }
                return true;
            }
            if (errno != EINTR) {
                failed(errno, "recv");
                return false;
            }
        }
    }

    /** Closes from any thread (idle timeout, server stopping): the loop closes it and reports {@code because}. */
    @Override
    public void closeChannel(String because) {
        loop.execute(() -> {
            if (!closed) {
                if (closedBecause == null) {
                    closedBecause = because;
                }
                close(because);
            }
        });
    }

    /** On the loop's thread: the idle timeout or the lingering close's deadline passed. */
    void expired() {
        if (lingering) {
            close("closed");
        } else {
            closedBecause = "idle timeout";
            close("idle timeout");
        }
    }

    private void failed(int errno, String call) {
        ErrnoException e = new ErrnoException(call, errno);
        if (closedBecause == null && !Failures.peerCaused(e)) {
            loop.engine.config.events().warning(origin.listening.listener.service().name() + " connection from " + peer + " failed: " + e);
        }
        close(Failures.describe(e));
    }

    private void fail(String problem) {
        loop.engine.config.events().warning(origin.listening.listener.service().name() + " connection from " + peer + " failed: " + problem);
        close(problem);
    }

    private void sessionFailed(Throwable e) {
        loop.engine.config.events().warning(origin.listening.listener.service().name() + " session for " + peer
                + " failed, connection closed: " + e, e);
        close("error: " + e);
    }

    /** An engine bug surfaced while serving this connection: it ends this connection only. */
    void crashed(Throwable e) {
        loop.engine.config.events().warning("epoll engine: connection from " + peer + " failed: " + e);
        if (!closed) {
            close("error: " + e);
        }
    }

    /** Closes the socket, reports the connection and gives its token back: once. */
    private void close(String outcome) {
        if (closed) {
            return;
        }
        closed = true;
        if (queue != null) {
            queue.remove(this);
        }
        loop.giveBuffer(pending);
        loop.giveBuffer(held);
        pending = null;
        held = null;
        loop.forget(this);
        loop.load.decrementAndGet();
        if (corked) {
            // Held back for a FIN that finishClose did not send (the peer had closed, or the session
            // failed): push them now, before a close that may reset (unread input, SO_LINGER 0) drops them.
            Libc.shutdown(loop.state, fd, Libc.SHUT_WR);
        }
        loop.engine.closeDescriptor(loop, fd, origin.listening.lingeringClose);
        loop.engine.connections.closed(this);
        try {
            loop.engine.config.events().connectionEnded(new ConnectionRecord(origin.listening.listener, peer, bytesIn, bytesOut,
                    Duration.ofNanos(System.nanoTime() - started), closedBecause != null ? closedBecause : outcome));
        } catch (RuntimeException e) {
            // a faulty event handler must not take the loop down; the connection is over either way
        } finally {
            loop.engine.ended(this);
        }
    }

    boolean isClosed() {
        return closed;
    }

    private void touch() {
        if (loop.idle != null && !lingering) {
            loop.idle.touch(this, loop.now);
        }
    }

    /** What the connection is registered with: its generation beside its descriptor. */
    long token() {
        return ((long) generation << 32) | (fd & 0xffffffffL);
    }

    @Override
    public String toString() {
        return origin.listening.listener.service().name() + " " + peer;
    }
}
