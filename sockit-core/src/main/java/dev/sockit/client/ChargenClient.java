package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Chargen;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * RFC 864: reads a number of bytes and checks that they follow a chargen pattern. RFC 864 says the
 * data may be anything and gives "one popular pattern": lines of 72 characters from the 95 printable
 * ones, each starting one character further along the ring, CR LF ended (BSD inetd's and sockit's).
 * A stream that follows that pattern is checked against it byte for byte, from wherever in the cycle
 * the server began (BSD inetd moves one line along per UDP reply). Others have a pattern of their own
 * (xinetd rotates 93 characters, '!' to '}', over 95 line starts): once a stream leaves RFC 864's, it is
 * held to the shape such patterns share, learnt from the stream: printable lines of one width, CR LF
 * ended, whose characters follow one another in one fixed order (a character never followed by
 * itself), each line starting elsewhere than the one before. That still catches a changed, lost or
 * doubled byte, though not a whole line lost.
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
            Pattern p = Pattern.forStream();
            long got = 0;
            while (got < bytes) {
                buf.clear().limit((int) Math.min(buf.capacity(), bytes - got));
                int n = c.read(buf);
                if (n < 0) {
                    throw new IOException("chargen from " + c.peer() + " ended after " + got + " of " + bytes + " bytes");
                }
                p.check(buf.array(), n, c.peer());
                write(copy, buf.array(), n);
                got += n;
            }
            return new ChargenResult(c.peer(), got, p.firstLine(), 0, p.isRfc864Ring());
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
            boolean rfc864Ring = true;
            Pattern learnt = Pattern.forDatagrams(); // what one datagram teaches of a pattern of its own holds for the next
            while (true) {
                datagrams++;
                if (reply.length == 0) {
                    break; // RFC 864 allows an empty reply; it says nothing more will come
                }
                Pattern p = learnt.nextDatagram(); // each starts where the server chose, and may end mid-line
                p.check(reply, reply.length, peer + " datagram " + datagrams);
                if (firstLine < 0) {
                    firstLine = p.firstLine();
                }
                rfc864Ring &= p.isRfc864Ring();
                learnt = p;
                write(copy, reply, reply.length);
                got += reply.length;
                if (got >= bytes) {
                    break;
                }
                reply = link.ask(DatagramLink.REQUEST);
            }
            return new ChargenResult(link.peerText(), got, Math.max(firstLine, 0), datagrams, rfc864Ring);
        }
    }

    private static void write(OutputStream copy, byte[] b, int n) throws IOException {
        if (copy != null) {
            Relay.writeOut(copy, b, 0, n);
        }
    }

    /**
     * The check, byte by byte: RFC 864's pattern from the first byte on, while the stream follows it;
     * beside it, always, the shape learnt from the stream (see the class comment), which alone
     * decides once the stream has left RFC 864's pattern.
     */
    private static final class Pattern {
        /** A rotating pattern ends its first line well before this; a stream without a line end by then is none. */
        static final int LONGEST_LINE = 1024;
        private static final int AFTER_CR = -1;
        /** The character after each one, as far as seen; 0 while unknown. Kept from datagram to datagram. */
        private final byte[] next;
        /** A datagram's last line may be cut short, CR LF and all, as xinetd's is; a stream's never. */
        private final boolean datagram;
        private int width;
        private long offset;
        private int column;
        /** A datagram's line was cut short: it was the last, and nothing may follow. */
        private boolean cut;
        private byte previous;
        private byte previousLineStart;
        private byte first;
        private boolean rfc864Ring = true;
        private long rfc864Origin;

        private Pattern(byte[] next, int width, boolean datagram) {
            this.next = next;
            this.width = width;
            this.datagram = datagram;
        }

        static Pattern forStream() {
            return new Pattern(new byte[128], -1, false);
        }

        static Pattern forDatagrams() {
            return new Pattern(new byte[128], -1, true);
        }

        /** The check of the next datagram: what was learnt of the pattern holds; where it starts is new. */
        Pattern nextDatagram() {
            return new Pattern(next, width, true);
        }

        /** Checks the next {@code n} bytes of {@code b} ({@code where}: whose, for the message). */
        void check(byte[] b, int n, String where) throws MismatchException {
            for (int i = 0; i < n; i++, offset++) {
                byte c = b[i];
                if (offset == 0) {
                    first = c;
                    rfc864Origin = first >= ' ' && first <= '~' ? (long) (first - ' ') * (Chargen.LINE_CHARS + 2) : 0;
                }
                if (rfc864Ring && c != Chargen.byteAt(rfc864Origin + offset)) {
                    rfc864Ring = false; // from here on, the learnt shape alone
                }
                learn(c, where);
            }
        }

        private void learn(byte c, String where) throws MismatchException {
            if (column == AFTER_CR) {
                expect((byte) '\n', c, where);
                column = 0;
                return;
            }
            if (cut) {
                throw off(where, "more after a line cut short");
            }
            if (c == '\r' && column > 0 && (width < 0 || column == width || datagram && column < width)) {
                if (width < 0) {
                    width = column; // the first line's end: every line is as wide
                }
                cut = column < width;
                column = AFTER_CR;
                return;
            }
            if (column == width) {
                expect((byte) '\r', c, where);
            }
            if (c < ' ' || c > '~') {
                throw off(where, Text.showByte(c) + " is not a printable character");
            }
            if (width < 0 && offset >= LONGEST_LINE) {
                throw off(where, "no line end in the first " + LONGEST_LINE + " bytes");
            }
            if (column > 0) {
                if (c == previous) {
                    throw off(where, Text.showByte(c) + " twice in a row");
                }
                if (next[previous] == 0) {
                    next[previous] = c;
                } else {
                    expect(next[previous], c, where);
                }
            } else {
                if (offset > 0 && c == previousLineStart) {
                    throw off(where, "a line starts where the one before did, at " + Text.showByte(c));
                }
                previousLineStart = c;
            }
            previous = c;
            column++;
        }

        private void expect(byte want, byte got, String where) throws MismatchException {
            if (got != want) {
                throw off(where, "expected " + Text.showByte(want) + ", got " + Text.showByte(got));
            }
        }

        private MismatchException off(String where, String what) {
            return new MismatchException("chargen from " + where + " is off the chargen pattern at offset " + offset + ": " + what, offset);
        }

        /** Where in RFC 864's cycle the stream began (0: the line starting with a space). */
        int firstLine() {
            return first >= ' ' && first <= '~' ? first - ' ' : 0;
        }

        /** Whether every byte so far is RFC 864's own pattern, BSD inetd's and sockit's. */
        boolean isRfc864Ring() {
            return rfc864Ring;
        }
    }
}
