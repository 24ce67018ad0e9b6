package dev.sockit.service;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RFC 864: lines of 72 characters from the 95 printable ASCII characters (32..126), each line starting
 * one character further along the ring, each ended by CR LF, until the peer closes.
 *
 * <p>After 95 lines the pattern repeats, so the whole endless stream is one 7,030-byte {@link #CYCLE}
 * written round and round.
 */
public final class Chargen implements StreamSession {
    public static final int LINE_CHARS = 72;
    public static final int PRINTABLE = 95;
    /** A datagram reply is one line, as BSD inetd sends (RFC 864 allows 0 to 512 characters). */
    public static final int DATAGRAM_REPLY = LINE_CHARS + 2;
    private static final int LINE_BYTES = LINE_CHARS + 2;

    /** 95 lines of 74 bytes: the period of the stream. */
    static final byte[] CYCLE = cycle();

    public static final StreamService STREAM = peer -> new Chargen();

    /**
     * A datagram service answering each request with the next line of the cycle, as BSD inetd does
     * (one per listener: a listener's datagrams, from whoever, walk the ring together).
     */
    public static DatagramService datagram() {
        AtomicInteger next = new AtomicInteger();
        return (request, peer) -> {
            int line = next.getAndUpdate(n -> (n + 1) % PRINTABLE);
            return Optional.of(ByteBuffer.wrap(CYCLE, line * LINE_BYTES, DATAGRAM_REPLY).slice());
        };
    }

    private int position; // offset into CYCLE of the next byte to send

    private static byte[] cycle() {
        byte[] b = new byte[PRINTABLE * (LINE_CHARS + 2)];
        int i = 0;
        for (int line = 0; line < PRINTABLE; line++) {
            for (int c = 0; c < LINE_CHARS; c++) {
                b[i++] = (byte) (' ' + (line + c) % PRINTABLE);
            }
            b[i++] = '\r';
            b[i++] = '\n';
        }
        return b;
    }

    /** The {@code n}th line (from 0) of the stream, with its CR LF: for clients that check the pattern. */
    public static String line(long n) {
        int start = (int) (n % PRINTABLE) * (LINE_CHARS + 2);
        return new String(CYCLE, start, LINE_CHARS + 2, StandardCharsets.US_ASCII);
    }

    /** The byte at {@code offset} (from 0) of the endless stream. */
    public static byte byteAt(long offset) {
        return CYCLE[(int) (offset % CYCLE.length)];
    }

    @Override
    public void opened(Output out) {
        out.wantWritable(true);
        writable(out);
    }

    @Override
    public void writable(Output out) {
        while (out.room() > 0) {
            int n = Math.min(out.room(), CYCLE.length - position);
            out.write(ByteBuffer.wrap(CYCLE, position, n));
            position = (position + n) % CYCLE.length;
        }
    }

    /** A half-close does not stop chargen: like inetd, it sends until the peer goes away. */
    @Override
    public void peerClosed(Output out) {
    }
}
