package dev.sockit.client;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Which address families a client may use: {@code -4}, {@code -6}, or both (the default). */
public enum Family {
    ANY, IPV4, IPV6;

    public boolean accepts(InetAddress a) {
        return switch (this) {
            case ANY -> true;
            case IPV4 -> a instanceof Inet4Address;
            case IPV6 -> a instanceof Inet6Address;
        };
    }

    /** How the family is named in messages. */
    public String label() {
        return switch (this) {
            case ANY -> "IPv4 or IPv6";
            case IPV4 -> "IPv4";
            case IPV6 -> "IPv6";
        };
    }
}
