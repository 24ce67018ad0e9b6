package dev.sockit.client;

import java.time.Duration;
import java.time.Instant;

/**
 * What a time server said, and when we heard it.
 *
 * @param server the server's time, its RFC 868 era resolved against the local clock
 * @param local  the local clock halfway between asking and hearing the answer
 * @param value  the 32-bit value as sent: seconds since 1900 modulo 2^32
 */
public record TimeReading(Instant server, Instant local, long value) {

    /**
     * How far the server's clock is ahead of ours (negative: behind), to within about half a second.
     * RFC 868 drops the fraction: the server's clock read somewhere in the second it sent, so the offset
     * is taken from the middle of that second.
     */
    public Duration offset() {
        return Duration.between(local, server.plusMillis(500));
    }
}
