package dev.sockit.client;

/**
 * Chargen output that followed the RFC 864 pattern throughout.
 *
 * @param peer      the server, e.g. {@code 127.0.0.1:19}
 * @param bytes     bytes read and checked
 * @param firstLine where in the 95-line cycle the server began (0: the line starting with a space)
 * @param datagrams datagrams received (UDP), or 0 over a stream
 */
public record ChargenResult(String peer, long bytes, int firstLine, long datagrams) {
}
