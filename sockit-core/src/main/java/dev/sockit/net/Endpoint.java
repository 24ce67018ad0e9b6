package dev.sockit.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * Where a socket lives, in the one syntax sockit uses everywhere (command line, config, logs):
 * {@code HOST:PORT}, {@code :PORT} (every local address, IPv4 and IPv6), {@code [IPv6]:PORT}
 * (a zone is allowed: {@code [fe80::1%eth0]:7}), {@code unix:/path/to.sock} and
 * {@code unix:@name} (a Linux abstract name).
 *
 * <p>{@code Endpoint.parse(e.toString())} equals {@code e} for every endpoint.
 */
public sealed interface Endpoint permits Endpoint.Inet, Endpoint.Unix {

    /** Parses an endpoint that must name its port (or be a Unix endpoint). */
    static Endpoint parse(String text) {
        return parse(text, OptionalInt.empty());
    }

    /**
     * Parses an endpoint whose port may be left out, as in {@code sockit daytime example.org}.
     *
     * @throws IllegalArgumentException with a message fit to show a user
     */
    static Endpoint parse(String text, OptionalInt defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty endpoint; expected HOST:PORT, :PORT, [IPv6]:PORT or unix:/path");
        }
        String s = text.strip();
        if (s.regionMatches(true, 0, "unix:", 0, 5)) {
            String rest = s.substring(5);
            if (rest.startsWith("@")) {
                if (rest.length() == 1) {
                    throw new IllegalArgumentException("bad endpoint '" + text + "': abstract name after @ is empty");
                }
                return new Unix(fits(rest.substring(1), true, text), true);
            }
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("bad endpoint '" + text + "': no path after unix:");
            }
            return new Unix(fits(rest, false, text), false);
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad endpoint '" + text + "': missing ] after IPv6 address");
            }
            host = s.substring(1, close);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("bad endpoint '" + text + "': brackets are for IPv6 addresses only");
            }
            String after = s.substring(close + 1);
            if (after.isEmpty()) {
                port = null;
            } else if (after.startsWith(":")) {
                port = after.substring(1);
            } else {
                throw new IllegalArgumentException("bad endpoint '" + text + "': expected :PORT after ]");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                host = s;
                port = null;
            } else if (s.indexOf(':') != colon) {
                if (defaultPort.isPresent() && looksLikeIpv6(s) && (isIpLiteral(s) || !isIpv6Literal(s.substring(0, colon)))) {
                    host = s; // a bare IPv6 literal where the port may be left out: "::1" (or not one at all: the resolver says so)
                    port = null;
                } else if (isIpLiteral(s) && !(isIpv6Literal(s.substring(0, colon)) && s.substring(colon + 1).matches("[0-9]{1,5}"))) {
                    throw new IllegalArgumentException("bad endpoint '" + text + "': no port; write [" + s + "]:PORT");
                } else {
                    throw new IllegalArgumentException("bad endpoint '" + text
                            + "': write IPv6 addresses in brackets, e.g. [" + s.substring(0, colon) + "]:" + s.substring(colon + 1));
                }
            } else {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            }
        }
        int p;
        if (port == null) {
            if (defaultPort.isEmpty()) {
                throw new IllegalArgumentException("bad endpoint '" + text + "': no port; expected HOST:PORT or :PORT"
                        + (host.matches("[0-9]{1,5}") && Integer.parseInt(host) <= 65535 ? " (to listen on port " + host + " on every address: :" + host + ")" : ""));
            }
            p = defaultPort.getAsInt();
        } else {
            p = parsePort(port, text);
        }
        if (host.contains("%") && !host.contains(":")) {
            throw new IllegalArgumentException("bad endpoint '" + text + "': a zone (%) belongs to IPv6 addresses only");
        }
        if (!host.isEmpty() && !host.contains(":") && !host.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("bad endpoint '" + text + "': '" + host + "' is not a host name or address");
        }
        if ((host.contains(":") || host.matches("[0-9.]+")) && !isIpLiteral(host)) {
            throw new IllegalArgumentException("bad endpoint '" + text + "': '" + host + "' is not a valid IP address");
        }
        return new Inet(host, p);
    }

    /** The longest Unix socket path: sun_path's 108 bytes less its closing NUL, less one the JDK keeps back. */
    int MAX_UNIX_PATH = 106;
    /** The longest Linux abstract name: sun_path's 108 bytes less the leading NUL that marks it. */
    int MAX_ABSTRACT_NAME = 107;

    private static String fits(String name, boolean abstractName, String text) {
        int n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        int max = abstractName ? MAX_ABSTRACT_NAME : MAX_UNIX_PATH;
        if (n > max) {
            throw new IllegalArgumentException("bad endpoint '" + text + "': " + (abstractName
                    ? "an abstract name is at most " + max + " bytes, this one is " + n
                    : "a Unix socket path is at most " + max + " bytes, this one is " + n + " (a path relative to the current directory may be shorter)"));
        }
        return name;
    }

    /** Whether {@code s} (a zone after % aside, which names an interface only the system can check) is an IP address. */
    static boolean isIpLiteral(String s) {
        return literal(s) != null;
    }

    /** Whether {@code s} (a zone after % aside) is an IPv6 address: "::1:7" is, "::1:17013" is not (a group of five digits). */
    private static boolean isIpv6Literal(String s) {
        return literal(s) instanceof java.net.Inet6Address;
    }

    /** The address {@code s} writes, its zone aside; null when it is none. */
    private static java.net.InetAddress literal(String s) {
        int zone = s.indexOf('%');
        try {
            return java.net.InetAddress.ofLiteral(zone < 0 ? s : s.substring(0, zone));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean looksLikeIpv6(String s) {
        return s.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?");
    }

    private static int parsePort(String port, String text) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad endpoint '" + text + "': port '" + port + "' is not a number from 0 to 65535");
        }
        int p = Integer.parseInt(port);
        if (p > 65535) {
            throw new IllegalArgumentException("bad endpoint '" + text + "': port " + p + " is out of range 0..65535");
        }
        return p;
    }

    /** The endpoint for an address a socket is bound or connected to. */
    static Endpoint of(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress a -> new Inet(a.getAddress() == null ? a.getHostString() : Addresses.format(a.getAddress()), a.getPort());
            case UnixDomainSocketAddress u -> new Unix(u.getPath().toString(), false);
            case UnixSocketAddress u -> u.toEndpoint();
            default -> throw new IllegalArgumentException("unsupported address " + address);
        };
    }

    /** The JDK address for this endpoint; a host name is resolved (first address only). */
    SocketAddress toSocketAddress();

    /** An IP endpoint. {@code host} is empty for "every local address"; an IPv6 literal has no brackets. */
    record Inet(String host, int port) implements Endpoint {
        public Inet {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
            }
            host = host == null ? "" : host;
        }

        public boolean isWildcard() {
            return host.isEmpty();
        }

        public boolean isLiteral() {
            return host.contains(":") || host.matches("[0-9.]+");
        }

        /** The same endpoint on another port. */
        public Inet withPort(int newPort) {
            return new Inet(host, newPort);
        }

        @Override
        public InetSocketAddress toSocketAddress() {
            if (isWildcard()) {
                return new InetSocketAddress(port); // the dual-stack wildcard where IPv6 is available
            }
            if (isLiteral()) {
                return new InetSocketAddress(InetAddress.ofLiteral(host), port);
            }
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            String h = host.contains(":") ? "[" + host + "]" : host;
            return h + ":" + port;
        }
    }

    /** A Unix-domain endpoint: a file path, or (Linux) a name in the abstract namespace. */
    record Unix(String path, boolean abstractName) implements Endpoint {
        public Unix {
            if (path == null || path.isEmpty()) {
                throw new IllegalArgumentException("empty Unix socket path");
            }
        }

        /**
         * The JDK's address for a path. The JDK cannot address Linux abstract names (a path may not hold
         * NUL); {@link UnixSocketAddress#of(Unix)} covers both, for the sockets of {@code dev.sockit.linux}.
         *
         * @throws UnsupportedOperationException for an abstract name
         */
        @Override
        public UnixDomainSocketAddress toSocketAddress() {
            if (abstractName) {
                throw new UnsupportedOperationException("the JDK cannot address the Linux abstract name " + this
                        + "; use UnixSocketAddress.of(endpoint) with dev.sockit.linux sockets");
            }
            return UnixDomainSocketAddress.of(path);
        }

        public Path file() {
            return Path.of(path);
        }

        @Override
        public String toString() {
            return "unix:" + (abstractName ? "@" : "") + path;
        }
    }

    /** A short lower-case name of the address family, for messages. */
    default String family() {
        return switch (this) {
            case Inet i when i.host().contains(":") -> "ipv6";
            case Inet i -> "ip";
            case Unix u -> "unix";
        };
    }

}
