package dev.sockit.service;

import java.time.Clock;
import java.time.Instant;

/**
 * RFC 868: four bytes, big-endian, the seconds since 1900-01-01T00:00Z modulo 2^32. The count wraps
 * on 2036-02-07T06:28:16Z; taking it modulo 2^32 keeps the server right after the wrap, and
 * {@link #toInstant} lets a client choose the era nearest its own clock.
 */
public final class Time {
    /** Seconds from 1900-01-01 to 1970-01-01. */
    public static final long EPOCH_OFFSET = 2_208_988_800L;
    private static final long ERA = 1L << 32;

    private Time() {
    }

    public static StreamService stream(Clock clock) {
        return OneShot.stream(() -> encode(clock.instant()));
    }

    public static DatagramService datagram(Clock clock) {
        return OneShot.datagram(() -> encode(clock.instant()));
    }

    /** The 32-bit RFC 868 value of {@code t}, as an unsigned number. */
    public static long value(Instant t) {
        return Math.floorMod(t.getEpochSecond() + EPOCH_OFFSET, ERA);
    }

    /** The four bytes sent for {@code t}. */
    public static byte[] encode(Instant t) {
        long v = value(t);
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Decodes four bytes to the instant, of all the eras the value could be from, nearest to {@code near}. */
    public static Instant toInstant(byte[] four, Instant near) {
        if (four.length != 4) {
            throw new IllegalArgumentException("an RFC 868 time is 4 bytes, got " + four.length);
        }
        long v = ((four[0] & 0xffL) << 24) | ((four[1] & 0xffL) << 16) | ((four[2] & 0xffL) << 8) | (four[3] & 0xffL);
        long nearSince1900 = near.getEpochSecond() + EPOCH_OFFSET;
        long era = Math.floorDiv(nearSince1900, ERA);
        long best = era * ERA + v;
        for (long candidate : new long[] {best - ERA, best + ERA}) {
            if (Math.abs(candidate - nearSince1900) < Math.abs(best - nearSince1900)) {
                best = candidate;
            }
        }
        return Instant.ofEpochSecond(best - EPOCH_OFFSET);
    }
}
