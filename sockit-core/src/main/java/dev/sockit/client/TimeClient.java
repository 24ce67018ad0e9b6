package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Time;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;

/**
 * RFC 868: the server's time as four bytes, seconds since 1900 modulo 2^32. The value alone cannot tell
 * 1950 from 2086; the era nearest the local clock is taken, so times after the 2036 wrap read right.
 */
public final class TimeClient {
    private final Clock clock;

    /** @param clock the local clock: it resolves the era and gives the offset */
    public TimeClient(Clock clock) {
        this.clock = clock;
    }

    public TimeClient() {
        this(Clock.systemUTC());
    }

    public TimeReading fetch(Dialer dialer, Endpoint endpoint, Transport transport) throws IOException {
        if (transport == Transport.UDP) {
            Instant asked = clock.instant();
            Dialer.Answered a = dialer.ask(endpoint, DatagramLink.REQUEST);
            Instant heard = clock.instant();
            a.link().close();
            return decode(a.reply(), a.link().peerText(), midpoint(asked, heard));
        }
        try (Connection c = dialer.connect(endpoint)) {
            Instant asked = clock.instant();
            ByteBuffer four = ByteBuffer.allocate(4);
            while (four.hasRemaining()) {
                if (c.read(four) < 0) {
                    throw new IOException(c.peer() + " closed after " + four.position() + " of the 4 bytes of an RFC 868 time");
                }
            }
            Instant heard = clock.instant();
            // RFC 868: the server sends the four bytes and closes. More is not a time server (a chargen port, say).
            try {
                if (c.read(ByteBuffer.allocate(1)) > 0) {
                    throw new IOException(c.peer() + " sent more than the 4 bytes of an RFC 868 time; is it a time server?");
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new IOException(c.peer() + " sent 4 bytes but did not close (an RFC 868 time server closes after them)", e);
            }
            return decode(four.array(), c.peer(), midpoint(asked, heard));
        }
    }

    private static TimeReading decode(byte[] reply, String peer, Instant local) throws IOException {
        if (reply.length != 4) {
            throw new IOException(peer + " sent " + reply.length + " bytes; an RFC 868 time is 4");
        }
        long value = ((reply[0] & 0xffL) << 24) | ((reply[1] & 0xffL) << 16) | ((reply[2] & 0xffL) << 8) | (reply[3] & 0xffL);
        return new TimeReading(Time.toInstant(reply, local), local, value);
    }

    private static Instant midpoint(Instant a, Instant b) {
        return a.plusNanos(java.time.Duration.between(a, b).toNanos() / 2);
    }
}
