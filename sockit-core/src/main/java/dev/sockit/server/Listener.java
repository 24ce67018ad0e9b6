package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;

/**
 * A service served on one socket.
 *
 * @param requested the endpoint asked for (port 0 allowed)
 * @param bound     the address really bound (port 0 resolved), or the requested one before binding
 */
public record Listener(Service service, Transport transport, Endpoint requested, Endpoint bound) {

    /** e.g. {@code echo tcp [::]:7007}. */
    @Override
    public String toString() {
        return service.name() + " " + transport.label(bound) + " " + bound;
    }
}
