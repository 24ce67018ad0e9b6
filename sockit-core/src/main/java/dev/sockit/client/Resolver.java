package dev.sockit.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns a host name into every address it has (A and AAAA records alike). Tests inject their own
 * to put chosen addresses behind a name.
 */
@FunctionalInterface
public interface Resolver {

    /**
     * Every address of {@code host}, in the order the name service gave them; never empty.
     *
     * @throws UnknownHostException when the name has no address; the message is fit to show a user
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK's name service ({@link InetAddress#getAllByName}), which honours /etc/hosts and DNS. */
    static Resolver system() {
        return host -> {
            if (host.contains(":") || host.matches("[0-9.]+")) {
                try {
                    return List.of(InetAddress.ofLiteral(host));
                } catch (IllegalArgumentException e) {
                    int zone = host.indexOf('%');
                    if (zone > 0 && dev.sockit.net.Endpoint.isIpLiteral(host)) {
                        // "fe80::1%lo": the address is fine, the zone names no interface with an IPv6 address of that scope
                        throw new UnknownHostException("'" + host + "': zone '" + host.substring(zone + 1)
                                + "' is no interface here with an IPv6 address for it (ip -6 addr lists them)");
                    }
                    throw new UnknownHostException("'" + host + "' is not a valid IP address");
                }
            }
            if (isLocalhost(host)) {
                // RFC 6761 §6.3: localhost names always mean the loopback addresses. Many /etc/hosts list
                // only 127.0.0.1, which would hide ::1 from Happy Eyeballs; answer both families here.
                return List.of(InetAddress.ofLiteral("::1"), InetAddress.ofLiteral("127.0.0.1"));
            }
            try {
                return Arrays.asList(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                throw new UnknownHostException("unknown host '" + host + "' (the name has no A or AAAA record)");
            }
        };
    }

    private static boolean isLocalhost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.equals("localhost") || h.endsWith(".localhost");
    }
}
