package dev.sockit.client;

import java.time.Duration;

/**
 * What a discard client sent.
 *
 * @param peer      the server
 * @param bytes     bytes sent
 * @param datagrams datagrams sent (UDP), or 0 over a stream
 * @param confirmed over a stream, true once the server closed after our end of stream (it read everything);
 *                  over UDP nothing confirms delivery, so false
 */
public record DiscardResult(String peer, long bytes, long datagrams, boolean confirmed, Duration elapsed) {
}
