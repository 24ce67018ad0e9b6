package dev.sockit.client;

import dev.sockit.net.Addresses;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;

/**
 * A UDP socket connected to one peer. Datagrams get lost, so a request is resent until a reply
 * comes or the time is up; only replies from that peer are received.
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

    private final DatagramChannel channel;
    private final InetSocketAddress peer;
    private final Duration timeout;

    private DatagramLink(DatagramChannel channel, InetSocketAddress peer, Duration timeout) {
        this.channel = channel;
        this.peer = peer;
        this.timeout = timeout;
    }

    /**
     * A socket connected to {@code peer}.
     *
     * @param timeout how long {@link #ask} waits for a reply, resending meanwhile
     */
    public static DatagramLink open(InetSocketAddress peer, Duration timeout) throws IOException {
        DatagramChannel ch = DatagramChannel.open(peer.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.connect(peer);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new DatagramLink(ch, peer, timeout.isZero() ? ClientOptions.DEFAULT_TIMEOUT : timeout);
    }

    /** Wraps a socket already connected to {@code peer} (e.g. a listener that took the first sender as its peer). */
    public static DatagramLink adopt(DatagramChannel connected, InetSocketAddress peer, Duration timeout) {
        return new DatagramLink(connected, peer, timeout.isZero() ? ClientOptions.DEFAULT_TIMEOUT : timeout);
    }

    public InetSocketAddress peer() {
        return peer;
    }

    public String peerText() {
        return Addresses.format(peer);
    }

    /** Sends one datagram (the buffer's remaining bytes, possibly none). */
    public void send(ByteBuffer datagram) throws IOException {
        channel.write(datagram);
    }

    /**
     * Waits up to {@code wait} for the next datagram from the peer.
     *
     * @return its payload, or null if none came in time
     * @throws PortUnreachableException when the peer's host said nothing listens on that port
     */
    public byte[] receive(Duration wait) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[MAX_DATAGRAM], MAX_DATAGRAM);
        channel.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, wait.toMillis())));
        try {
            channel.socket().receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
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
        channel.close();
    }
}
