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
 * Others rotate another ring (xinetd: 93 characters, '!' to '}'), so the check is of the shape every
 * such server shares, learnt from the stream itself: lines of one width, each of printable characters
 * that follow one another in one fixed order, each line starting one character further along. A lost,
 * doubled or changed byte breaks it at once. Whether the stream is also RFC 864's own ring is reported.
 * A server may start anywhere in its cycle (BSD inetd moves one line along per UDP reply).
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
            Pattern p = new Pattern(c.peer());
            long got = 0;
            while (got < bytes) {
                buf.clear().limit((int) Math.min(buf.capacity(), bytes - got));
                int n = c.read(buf);
                if (n < 0) {
                    throw new IOException("chargen from " + c.peer() + " ended after " + got + " of " + bytes + " bytes");
                }
                p.check(buf.array(), n);
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
            while (true) {
                datagrams++;
                if (reply.length == 0) {
                    break; // RFC 864 allows an empty reply; it says nothing more will come
                }
                Pattern p = new Pattern(peer + " datagram " + datagrams); // each datagram starts where the server chose
                p.check(reply, reply.length);
                if (firstLine < 0) {
                    firstLine = p.firstLine();
                }
                rfc864Ring &= p.isRfc864Ring();
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
     * The check, byte by byte, of a stream learnt as it goes: the first line's CR fixes the width;
     * each character seen after another fixes that one's successor (the ring), which every later
     * pair must agree with, including each line's first character after the previous line's first.
     */
    private static final class Pattern {
        private final String where;
        /** The character after each one, as far as seen; 0 while unknown. */
        private final byte[] next = new byte[128];
        private long offset;
        private int width = -1;
        private int column;
        private byte previous;
        private byte lineStart;
        private byte first;
        private boolean rfc864Ring = true;

        Pattern(String where) {
            this.where = where;
        }

        /** Checks the next {@code n} bytes of {@code b}. */
        void check(byte[] b, int n) throws MismatchException {
            for (int i = 0; i < n; i++, offset++) {
                byte c = b[i];
                if (offset == 0) {
                    first = c;
                }
                rfc864Ring &= c == Chargen.byteAt(offset + (long) firstLine() * (Chargen.LINE_CHARS + 2));
                if (width < 0 && column > 0 && c == '\r') {
                    width = column; // the first line's end: every line is as wide
                }
                if (width >= 0 && column >= width) {
                    expect(column == width ? (byte) '\r' : (byte) '\n', c);
                    if (column == width + 1) {
                        column = 0;
                    } else {
                        column++;
                    }
                    continue;
                }
                if (c < ' ' || c > '~') {
                    throw off(Text.showByte(c) + " is not a printable character");
                }
                if (offset > 0) {
                    byte after = column == 0 ? lineStart : previous; // a line starts one character further along
                    if (next[after] == 0) {
                        next[after] = c;
                    } else {
                        expect(next[after], c);
                    }
                }
                if (column == 0) {
                    lineStart = c;
                }
                previous = c;
                column++;
            }
        }

        private void expect(byte want, byte got) throws MismatchException {
            if (got != want) {
                throw off("expected " + Text.showByte(want) + ", got " + Text.showByte(got));
            }
        }

        private MismatchException off(String what) {
            return new MismatchException("chargen from " + where + " is off the chargen pattern at offset " + offset + ": " + what, offset);
        }

        /** Where RFC 864's ring the stream began (0: the line starting with a space). */
        int firstLine() {
            return first >= ' ' && first <= '~' ? first - ' ' : 0;
        }

        /** Whether every byte so far is RFC 864's own pattern, BSD inetd's and sockit's. */
        boolean isRfc864Ring() {
            return rfc864Ring;
        }
    }
}
