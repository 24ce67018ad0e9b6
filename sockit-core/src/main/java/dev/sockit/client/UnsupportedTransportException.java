package dev.sockit.client;

import dev.sockit.linux.Libc;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.util.Optional;

/**
 * A kind of endpoint that cannot work on this machine. The JDK has no Unix datagram sockets and cannot
 * address Linux abstract names; sockit makes both through libc ({@code dev.sockit.linux}), which needs
 * Linux on a 64-bit JVM. Everywhere else they are refused up front, saying why and what to use instead.
 */
public final class UnsupportedTransportException extends IllegalArgumentException {

    /** @param problem why libc cannot be used here, e.g. {@code this needs Linux (this is Mac OS X)} */
    UnsupportedTransportException(Transport transport, Endpoint endpoint, String problem) {
        super(endpoint instanceof Endpoint.Unix u && u.abstractName()
                ? "abstract Unix names such as " + endpoint + " are not available here (" + problem
                + "): the JDK cannot address them and sockit reaches them through libc; use a path, unix:/path"
                : transport.label(endpoint) + " endpoints such as " + endpoint + " are not available here (" + problem
                + "): the JDK has no Unix datagram sockets and sockit makes them through libc; use a Unix stream socket (no --udp) or UDP");
    }

    /** Throws for what needs libc (Unix datagram sockets, abstract Unix names) where libc cannot be used. */
    public static void check(Transport transport, Endpoint endpoint) {
        if (needsLibc(transport, endpoint)) {
            check(transport, endpoint, Libc.unavailableBecause()); // asked only then: linking libc costs startup time
        }
    }

    static void check(Transport transport, Endpoint endpoint, Optional<String> libcProblem) {
        if (libcProblem.isPresent() && needsLibc(transport, endpoint)) {
            throw new UnsupportedTransportException(transport, endpoint, libcProblem.get());
        }
    }

    /** Unix datagram sockets and abstract names are made through libc; the rest through the JDK. */
    static boolean needsLibc(Transport transport, Endpoint endpoint) {
        return endpoint instanceof Endpoint.Unix u && (transport == Transport.UDP || u.abstractName());
    }
}
