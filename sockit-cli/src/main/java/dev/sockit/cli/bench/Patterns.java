package dev.sockit.cli.bench;

import dev.sockit.service.Chargen;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes a bench sends, and what it expects back. A stream is the bytes {@code 0..250} round and
 * round: 251 is prime, so a lost, doubled or reordered block never lines up by chance with a
 * power-of-two write size. Chargen's stream (RFC 864) is checked against its own 7,030-byte cycle.
 */
final class Patterns {
    private static final int PERIOD = 251;
    private static final int CHARGEN_PERIOD = 95 * 74;

    private Patterns() {
    }

    /** Bytes enough that {@code [offset % PERIOD, + chunk)} is always inside. */
    static byte[] stream(int chunk) {
        return repeat(PERIOD, PERIOD + chunk, i -> (byte) i);
    }

    static int streamStart(long offset) {
        return (int) (offset % PERIOD);
    }

    /** The chargen cycle repeated enough that {@code [offset % cycle, + chunk)} is always inside. */
    static byte[] chargen(int chunk) {
        byte[] cycle = new byte[CHARGEN_PERIOD];
        for (int line = 0; line < 95; line++) {
            byte[] l = Chargen.line(line).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(l, 0, cycle, line * 74, 74);
        }
        return repeat(CHARGEN_PERIOD, CHARGEN_PERIOD + chunk, i -> cycle[i]);
    }

    static int chargenStart(long offset) {
        return (int) (offset % CHARGEN_PERIOD);
    }

    /** Fills a pingpong message: its sequence number in the first 8 bytes, then bytes that vary with it. */
    static void message(byte[] m, long seq) {
        int i = 0;
        for (; i < Math.min(8, m.length); i++) {
            m[i] = (byte) (seq >>> (56 - 8 * i));
        }
        for (; i < m.length; i++) {
            m[i] = (byte) (seq + i);
        }
    }

    /** The sequence number of a message {@link #message} filled (8 bytes or more). */
    static long sequence(byte[] m) {
        long s = 0;
        for (int i = 0; i < 8; i++) {
            s = (s << 8) | (m[i] & 0xff);
        }
        return s;
    }

    /** Where two byte ranges first differ, described for the report, or null if they are equal. */
    static String difference(byte[] expected, int eFrom, byte[] actual, int aFrom, int length, long streamOffset) {
        int i = Arrays.mismatch(expected, eFrom, eFrom + length, actual, aFrom, aFrom + length);
        if (i < 0) {
            return null;
        }
        return "byte " + (streamOffset + i) + " is " + (actual[aFrom + i] & 0xff) + ", expected " + (expected[eFrom + i] & 0xff);
    }

    private interface ByteAt {
        byte at(int i);
    }

    private static byte[] repeat(int period, int length, ByteAt f) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = f.at(i % period);
        }
        return b;
    }
}
