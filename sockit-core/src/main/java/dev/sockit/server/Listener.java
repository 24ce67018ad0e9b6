package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;

/**
 * A service served on one socket.
 *
 * @param requested the endpoint asked for (port 0 allowed)
 * @param bound     the address really bound (port 0 resolved), or the requested one before binding
 * @param options   the socket options set on the listener and on every connection it accepts
 * @param applied   what the kernel reports it applied, read back after binding (empty when nothing was set)
 */
public record Listener(Service service, Transport transport, Endpoint requested, Endpoint bound,
                       SocketOptions options, String applied) {

    public Listener(Service service, Transport transport, Endpoint requested, Endpoint bound) {
        this(service, transport, requested, bound, SocketOptions.DEFAULTS, "");
    }

    /** True for TCP over IP, where TCP options (keepalive, nodelay, linger) apply. */
    public boolean isTcp() {
        return transport == Transport.TCP && bound instanceof Endpoint.Inet;
    }

    /** e.g. {@code echo tcp [::]:7007}. */
    @Override
    public String toString() {
        return service.name() + " " + transport.label(bound) + " " + bound;
    }
}
