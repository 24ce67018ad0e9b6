package dev.sockit.net;

import java.util.Locale;

/** How bytes travel: as a stream (TCP, Unix stream) or as datagrams (UDP, Unix datagram). */
public enum Transport {
    TCP, UDP;

    /** The name for an endpoint: tcp/udp for IP, unix/unixgram for Unix sockets. */
    public String label(Endpoint endpoint) {
        boolean unix = endpoint instanceof Endpoint.Unix;
        return switch (this) {
            case TCP -> unix ? "unix" : "tcp";
            case UDP -> unix ? "unixgram" : "udp";
        };
    }

    public static Transport of(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "tcp", "stream" -> TCP;
            case "udp", "dgram", "datagram" -> UDP;
            default -> throw new IllegalArgumentException("unknown transport '" + name + "'; expected tcp or udp");
        };
    }
}
