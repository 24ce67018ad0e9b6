package dev.sockit.server;

import java.time.Duration;

/**
 * What is logged when a connection ends.
 *
 * @param peer    the client as sockit shows it, e.g. {@code [::1]:51234}
 * @param outcome how it ended: {@code closed}, {@code reset by peer}, {@code idle timeout}, {@code server stopping}, or an error
 */
public record ConnectionRecord(Listener listener, String peer, long bytesIn, long bytesOut, Duration duration, String outcome) {
}
