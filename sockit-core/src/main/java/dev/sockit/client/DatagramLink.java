package dev.sockit.client;

import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.net.Addresses;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.UnixSocketAddress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

/**
 * A datagram socket with one peer: UDP, or a Unix datagram socket (a path or an abstract name).
 * Datagrams get lost, so a request is resent until a reply comes or the time is up; only replies from
 * that peer are received.
 */
public final class DatagramLink implements AutoCloseable {
    /** The largest UDP payload over IPv4 or IPv6 (without jumbograms). */
    public static final int MAX_DATAGRAM = 65_507;
    /**
     * What a client sends to ask daytime, qotd, time or chargen for a reply over UDP. RFC 868 asks for an
     * empty datagram, but the JDK cannot send one (it skips zero-length writes); servers answer whatever
     * a request holds, so it is one newline.
     */
    static final byte[] REQUEST = {'\n'};

    /** Requests are resent at least this often while waiting for a reply. */
    static final Duration MAX_RESEND_INTERVAL = Duration.ofSeconds(1);

    private final LinkSocket socket;
    private final Duration timeout;

    private DatagramLink(LinkSocket socket, Duration timeout) {
        this.socket = socket;
        this.timeout = timeout.isZero() ? ClientOptions.DEFAULT_TIMEOUT : timeout;
    }

    /**
     * A UDP socket connected to {@code peer}.
     *
     * @param timeout how long {@link #ask} waits for a reply, resending meanwhile
     */
    public static DatagramLink open(InetSocketAddress peer, Duration timeout) throws IOException {
        return new DatagramLink(UdpLinkSocket.open(peer), timeout);
    }

    /**
     * A Unix datagram socket, bound to a fresh abstract name of its own so the peer can answer, and
     * connected to {@code peer}. Sends wait while the peer's queue is full, for at most {@code timeout}.
     *
     * @param timeout how long {@link #ask} waits for a reply, resending meanwhile, and a send for room
     * @param options the buffer sizes to set (the other options are TCP's)
     * @throws dev.sockit.linux.ErrnoException when nothing is there (ENOENT, ECONNREFUSED) or a stream socket is (EPROTOTYPE)
     */
    public static DatagramLink open(UnixSocketAddress peer, Duration timeout, SocketOptions options) throws IOException {
        Duration t = timeout.isZero() ? ClientOptions.DEFAULT_TIMEOUT : timeout;
        return new DatagramLink(UnixLinkSocket.open(peer, options, t), t);
    }

    /** Wraps a socket already connected to {@code peer} (e.g. a listener that took the first sender as its peer). */
    public static DatagramLink adopt(DatagramChannel connected, InetSocketAddress peer, Duration timeout) {
        return new DatagramLink(new UdpLinkSocket(connected, peer), timeout);
    }

    /** Wraps a Unix datagram socket already {@link UnixDatagramSocket#connect connected} to its peer. */
    public static DatagramLink adopt(UnixDatagramSocket connected, Duration timeout) {
        UnixSocketAddress peer = connected.peer().orElseThrow(() -> new IllegalArgumentException(connected + " is not connected"));
        return new DatagramLink(new UnixLinkSocket(connected, peer), timeout);
    }

    public SocketAddress peer() {
        return socket.peer();
    }

    /** The peer as sockit shows it: {@code [::1]:7}, {@code unix:/run/echo.sock}, {@code unix:@echo}. */
    public String peerText() {
        return Addresses.format(socket.peer());
    }

    /** The peer with its transport, as messages name it: {@code udp [::1]:7}, {@code unixgram unix:/run/echo.sock}. */
    public String label() {
        return socket.transport() + " " + peerText();
    }

    /** True when sends and receives block inside native code: work on the link from platform threads. */
    public boolean blocksInNativeCode() {
        return socket.blocksInNativeCode();
    }

    /** Sends one datagram (the buffer's remaining bytes, possibly none). */
    public void send(ByteBuffer datagram) throws IOException {
        try {
            socket.send(datagram);
        } catch (PortUnreachableException e) {
            throw refused(e);
        }
    }

    /**
     * Waits up to {@code wait} for the next datagram from the peer.
     *
     * @return its payload, or null if none came in time
     * @throws PortUnreachableException when the peer's host said nothing listens on that port
     */
    public byte[] receive(Duration wait) throws IOException {
        try {
            return socket.receive(wait);
        } catch (PortUnreachableException e) {
            throw refused(e);
        }
    }

    /** The JDK's has no message: a peer that answered before and then went away is said in words. */
    private PortUnreachableException refused(PortUnreachableException e) {
        PortUnreachableException said = new PortUnreachableException(label() + " refused our datagrams (port unreachable: nothing listens there now)");
        said.initCause(e);
        return said;
    }

    /**
     * Sends {@code request} and returns the first reply, resending every second (or every third of the
     * timeout, if shorter) until the timeout.
     *
     * @throws SocketTimeoutException when no reply came in time
     */
    public byte[] ask(byte[] request) throws IOException {
        return ask(request, reply -> true);
    }

    /**
     * As {@link #ask(byte[])}, but replies {@code wanted} rejects are dropped and the wait goes on: a late
     * answer to an earlier, resent request must not be taken for the answer to this one.
     */
    public byte[] ask(byte[] request, java.util.function.Predicate<byte[]> wanted) throws IOException {
        Duration interval = resendInterval(timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        int tries = 0;
        while (true) {
            send(ByteBuffer.wrap(request));
            tries++;
            long left = deadline - System.nanoTime();
            long resendAt = System.nanoTime() + Math.min(interval.toNanos(), Math.max(left, 1_000_000));
            byte[] reply;
            do {
                reply = receive(Duration.ofNanos(Math.max(resendAt - System.nanoTime(), 1_000_000)));
            } while (reply != null && !wanted.test(reply));
            if (reply != null) {
                return reply;
            }
            if (deadline - System.nanoTime() <= 0) {
                throw new SocketTimeoutException("no reply after " + tries + (tries == 1 ? " try" : " tries")
                        + " in " + Durations.show(timeout));
            }
        }
    }

    static Duration resendInterval(Duration timeout) {
        Duration third = timeout.dividedBy(3);
        return third.compareTo(MAX_RESEND_INTERVAL) < 0 ? (third.isZero() ? Duration.ofMillis(1) : third) : MAX_RESEND_INTERVAL;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
