package dev.sockit.client;

/**
 * Chargen output that followed a chargen pattern throughout (see {@link ChargenClient}).
 *
 * @param peer      the server, e.g. {@code 127.0.0.1:19}
 * @param bytes     bytes read and checked
 * @param firstLine where in the 95-line cycle the server began (0: the line starting with a space)
 * @param datagrams datagrams received (UDP), or 0 over a stream
 * @param rfc864Ring whether it was RFC 864's own pattern (the 95 printable characters in 72-character
 *                   lines), as BSD inetd's and sockit's are, rather than another ring (xinetd's)
 */
public record ChargenResult(String peer, long bytes, int firstLine, long datagrams, boolean rfc864Ring) {
}
