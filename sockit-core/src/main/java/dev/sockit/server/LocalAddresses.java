package dev.sockit.server;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** This host's addresses, as a UDP wildcard listener binds them one by one. */
final class LocalAddresses {
    private LocalAddresses() {
    }

    /**
     * The addresses of the interfaces that are up: loopback first, then IPv4, then IPv6. Link-local
     * ones keep their zone (fe80::1%eth0), which they need; the others drop it, which they do not.
     */
    static List<InetAddress> all() throws SocketException {
        Set<InetAddress> found = new LinkedHashSet<>();
        for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
            if (nif.isUp()) {
                nif.inetAddresses().map(LocalAddresses::zoneOnlyIfLinkLocal).forEach(found::add);
            }
        }
        List<InetAddress> sorted = new ArrayList<>(found);
        sorted.sort(Comparator.comparingInt(LocalAddresses::rank));
        return sorted;
    }

    private static InetAddress zoneOnlyIfLinkLocal(InetAddress a) {
        if (a instanceof Inet6Address && !a.isLinkLocalAddress()) {
            try {
                return InetAddress.getByAddress(a.getAddress());
            } catch (java.net.UnknownHostException e) {
                return a; // cannot happen for a 16-byte address
            }
        }
        return a;
    }

    private static int rank(InetAddress a) {
        int family = a instanceof Inet4Address ? 0 : 1;
        if (a.isLoopbackAddress()) {
            return family;
        }
        return 2 + family * 2 + (a instanceof Inet6Address && a.isLinkLocalAddress() ? 1 : 0);
    }
}
