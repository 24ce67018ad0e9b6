package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Chargen;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * RFC 864: reads a number of bytes and checks that they follow the chargen pattern. A server may start
 * anywhere in the 95-line cycle (BSD inetd moves one line along per UDP reply), so the first byte
 * fixes the starting line and every later byte must follow from it.
 */
public final class ChargenClient {
    /** One full cycle: 95 lines of 72 characters and CR LF. */
    public static final long CYCLE_BYTES = (long) Chargen.PRINTABLE * (Chargen.LINE_CHARS + 2);

    private ChargenClient() {
    }

    /**
     * @param bytes  how many bytes to read (over UDP, at least; whole datagrams are read)
     * @param copy   receives each checked byte (for printing), or null
     * @throws MismatchException at the first byte off the pattern
     */
    public static ChargenResult read(Dialer dialer, Endpoint endpoint, Transport transport, long bytes, OutputStream copy)
            throws IOException {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes to read must be at least 1, not " + bytes);
        }
        return transport == Transport.UDP ? readDatagrams(dialer, endpoint, bytes, copy) : readStream(dialer, endpoint, bytes, copy);
    }

    private static ChargenResult readStream(Dialer dialer, Endpoint endpoint, long bytes, OutputStream copy) throws IOException {
        try (Connection c = dialer.connect(endpoint)) {
            ByteBuffer buf = ByteBuffer.allocate(8192);
            Pattern p = null;
            long got = 0;
            while (got < bytes) {
                buf.clear().limit((int) Math.min(buf.capacity(), bytes - got));
                int n = c.read(buf);
                if (n < 0) {
                    throw new IOException("chargen from " + c.peer() + " ended after " + got + " of " + bytes + " bytes");
                }
                if (p == null) {
                    p = Pattern.startingWith(buf.get(0), c.peer());
                }
                p.check(buf.array(), n, got, c.peer());
                write(copy, buf.array(), n);
                got += n;
            }
            return new ChargenResult(c.peer(), got, p.firstLine, 0);
        }
    }

    private static ChargenResult readDatagrams(Dialer dialer, Endpoint endpoint, long bytes, OutputStream copy) throws IOException {
        Dialer.Answered first = dialer.ask(endpoint, DatagramLink.REQUEST);
        try (DatagramLink link = first.link()) {
            String peer = link.label();
            byte[] reply = first.reply();
            long got = 0;
            long datagrams = 0;
            int firstLine = -1;
            while (true) {
                datagrams++;
                if (reply.length == 0) {
                    break; // RFC 864 allows an empty reply; it says nothing more will come
                }
                Pattern p = Pattern.startingWith(reply[0], peer);
                if (firstLine < 0) {
                    firstLine = p.firstLine;
                }
                p.check(reply, reply.length, 0, peer + " datagram " + datagrams);
                write(copy, reply, reply.length);
                got += reply.length;
                if (got >= bytes) {
                    break;
                }
                reply = link.ask(DatagramLink.REQUEST);
            }
            return new ChargenResult(link.peerText(), got, Math.max(firstLine, 0), datagrams);
        }
    }

    private static void write(OutputStream copy, byte[] b, int n) throws IOException {
        if (copy != null) {
            Relay.writeOut(copy, b, 0, n);
        }
    }

    /** The stream as it should be, from the line the server began with. */
    private static final class Pattern {
        final int firstLine;
        private final long origin;

        private Pattern(int firstLine) {
            this.firstLine = firstLine;
            this.origin = (long) firstLine * (Chargen.LINE_CHARS + 2);
        }

        static Pattern startingWith(byte first, String peer) throws MismatchException {
            if (first < ' ' || first > '~') {
                throw new MismatchException("chargen from " + peer + " is off the RFC 864 pattern at offset 0: "
                        + Text.showByte(first) + " is not a printable character", 0);
            }
            return new Pattern(first - ' ');
        }

        /** Checks {@code n} bytes of {@code b}, which sit at {@code offset} in the stream. */
        void check(byte[] b, int n, long offset, String where) throws MismatchException {
            for (int i = 0; i < n; i++) {
                byte want = Chargen.byteAt(origin + offset + i);
                if (b[i] != want) {
                    long at = offset + i;
                    throw new MismatchException("chargen from " + where + " is off the RFC 864 pattern at offset " + at
                            + ": expected " + Text.showByte(want) + ", got " + Text.showByte(b[i]), at);
                }
            }
        }
    }
}
