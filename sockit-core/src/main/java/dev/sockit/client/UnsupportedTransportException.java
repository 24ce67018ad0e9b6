package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

/**
 * A transport sockit cannot drive yet for that kind of endpoint. Unix datagram sockets and abstract
 * Unix names need calls the JDK lacks (they come with the FFM layer in {@code dev.sockit.linux}).
 */
public final class UnsupportedTransportException extends IllegalArgumentException {
    public UnsupportedTransportException(Transport transport, Endpoint endpoint) {
        super(endpoint instanceof Endpoint.Unix u && u.abstractName()
                ? "abstract Unix socket names such as " + endpoint + " are not supported yet (the JDK cannot make them; they need FFM, which is coming); use a path, unix:/path"
                : transport.label(endpoint) + " endpoints such as " + endpoint + " are not supported yet"
                + (endpoint instanceof Endpoint.Unix ? " (Unix datagram sockets need FFM, which is coming); use a Unix stream socket (no --udp) or UDP" : ""));
    }

    /** Throws for what the JDK alone cannot do: Unix datagram sockets, abstract Unix names. */
    public static void check(Transport transport, Endpoint endpoint) {
        if (endpoint instanceof Endpoint.Unix u && (transport == Transport.UDP || u.abstractName())) {
            throw new UnsupportedTransportException(transport, endpoint);
        }
    }
}
