package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

/**
 * A transport sockit cannot drive yet for that kind of endpoint. Unix datagram sockets need calls the
 * JDK lacks (they come with the FFM layer in {@code dev.sockit.linux}).
 */
public final class UnsupportedTransportException extends IllegalArgumentException {
    public UnsupportedTransportException(Transport transport, Endpoint endpoint) {
        super(transport.label(endpoint) + " endpoints such as " + endpoint + " are not supported yet"
                + (endpoint instanceof Endpoint.Unix ? " (Unix datagram sockets need FFM, which is coming); use a Unix stream socket (no --udp) or UDP" : ""));
    }
}
