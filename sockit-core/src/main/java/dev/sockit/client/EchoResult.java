package dev.sockit.client;

import java.time.Duration;

/**
 * An echo that came back whole and unchanged.
 *
 * @param peer  the server, e.g. {@code [::1]:7}
 * @param bytes bytes sent, and received back identical
 * @param datagrams datagrams exchanged (UDP), or 0 over a stream
 * @param elapsed from connecting to the last byte back
 */
public record EchoResult(String peer, long bytes, long datagrams, Duration elapsed) {
}
