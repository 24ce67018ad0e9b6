package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The client side of daytime, qotd and time: connect and read until the server closes, or, over UDP,
 * send a request datagram and take the one that comes back.
 */
final class OneShotClient {
    private OneShotClient() {
    }

    /**
     * @param limit the most a sane server of this kind sends; more is an error, not a reason to buffer without bound
     */
    static byte[] fetch(Dialer dialer, Endpoint endpoint, Transport transport, int limit, String service, boolean oneLine) throws IOException {
        if (transport == Transport.UDP) {
            Dialer.Answered a = dialer.ask(endpoint, DatagramLink.REQUEST);
            a.link().close();
            if (a.reply().length == 0) {
                throw new IOException(a.link().peerText() + " answered with an empty datagram, no " + service + " reply");
            }
            return a.reply();
        }
        try (Connection c = dialer.connect(endpoint)) {
            byte[] reply = readToEnd(c, limit, service, oneLine);
            if (reply.length == 0) {
                // what a server that refuses the client (an access list, a full house) does: not a success
                throw new IOException(c.peer() + " closed without sending a " + service + " reply");
            }
            return reply;
        }
    }

    private static boolean endsALine(ByteBuffer buf) {
        return buf.position() > 0 && buf.get(buf.position() - 1) == '\n';
    }

    static byte[] readToEnd(Connection c, int limit, String service) throws IOException {
        return readToEnd(c, limit, service, false);
    }

    /** @param oneLine the reply is one line (daytime), so a whole line is a whole reply even if a reset follows */
    static byte[] readToEnd(Connection c, int limit, String service, boolean oneLine) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(Math.min(limit + 1, 64 * 1024));
        while (true) {
            if (!buf.hasRemaining()) {
                if (buf.capacity() > limit) {
                    throw new IOException(c.peer() + " sent more than " + limit + " bytes; is it a " + service + " server?");
                }
                buf = ByteBuffer.allocate(Math.min(limit + 1, buf.capacity() * 2)).put(buf.flip());
            }
            try {
                if (c.read(buf) < 0) {
                    return Arrays.copyOf(buf.array(), buf.position());
                }
            } catch (java.net.SocketTimeoutException e) {
                if (buf.position() == 0) {
                    throw e;
                }
                // its reply is only known whole when the server closes, as RFC 865/867/868 servers do at once
                throw new IOException(c.peer() + " sent " + buf.position() + (buf.position() == 1 ? " byte" : " bytes")
                        + " but did not close (a " + service + " server closes after its reply)", e);
            } catch (IOException e) {
                if (oneLine && endsALine(buf) && e.getCause() instanceof IOException cause && Reasons.of(cause).equals("reset by peer")) {
                    // a reply of one line (daytime's), then a reset in place of the FIN (SO_LINGER 0, or a
                    // server that closed with input unread): the reply is here, and nc and socat show it
                    // too; a quotation may have more lines, so a reset cuts it short
                    return Arrays.copyOf(buf.array(), buf.position());
                }
                throw e;
            }
        }
    }
}
