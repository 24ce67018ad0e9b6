package dev.sockit.cli;

import dev.sockit.client.UnsupportedTransportException;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;

import java.util.OptionalInt;

/** The server a service client talks to: {@code HOST[:PORT]} (the service's standard port if none), or a Unix socket. */
final class Target {
    private Target() {
    }

    static Endpoint parse(String text, String service, Transport transport) {
        int port = Service.named(service).orElseThrow().port();
        Endpoint e;
        try {
            e = Endpoint.parse(text, OptionalInt.of(port));
        } catch (IllegalArgumentException ex) {
            throw new Main.UsageException(ex.getMessage());
        }
        check(e, transport);
        return e;
    }

    /** A connect endpoint must name a host; Unix datagram sockets and abstract names need Linux (libc). */
    static void check(Endpoint e, Transport transport) {
        if (e instanceof Endpoint.Inet i && i.isWildcard()) {
            throw new Main.UsageException("'" + e + "' names no host; write HOST:PORT, e.g. localhost:" + i.port());
        }
        try {
            UnsupportedTransportException.check(transport, e);
        } catch (UnsupportedTransportException ex) {
            throw new Main.UsageException(ex.getMessage());
        }
    }
}
