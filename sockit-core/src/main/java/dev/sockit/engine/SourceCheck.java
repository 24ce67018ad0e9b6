package dev.sockit.engine;

import dev.sockit.server.DropReason;
import dev.sockit.service.Service;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The senders a UDP small service must never answer, as BSD inetd refuses them: source ports below
 * 1024 (and 0), where the other small services and system daemons live, so that two servers cannot
 * be set answering each other forever (echo to chargen, the "Loop DoS"); and broadcast, multicast or
 * unspecified source addresses, which no real client sends from and which only a forged datagram
 * carries, to make us send to many hosts at once. Served at a port offset (10007, 10019... under
 * {@code --port-offset 10000}), the small services' ports at that offset are refused as well: two
 * servers set up alike could otherwise answer each other just the same.
 */
final class SourceCheck {
    private static final int FIRST_UNPRIVILEGED_PORT = 1024;

    private final Set<InetAddress> broadcasts;
    /** The small services' ports at the server's port offset, where they are 1024 and up. */
    private final BitSet shifted = new BitSet(65536);

    SourceCheck(Set<InetAddress> broadcasts) {
        this(broadcasts, 0);
    }

    /** @param portOffset where the small services are served, above their standard ports (0: at them) */
    SourceCheck(Set<InetAddress> broadcasts, int portOffset) {
        this.broadcasts = Set.copyOf(broadcasts);
        if (portOffset > 0) {
            for (Service s : Service.standard()) {
                int p = s.port() + portOffset;
                if (p >= FIRST_UNPRIVILEGED_PORT && p <= 65535) {
                    shifted.set(p);
                }
            }
        }
    }

    /** Knows the directed broadcast addresses of this host's interfaces (e.g. 192.0.2.255) as they are now. */
    static SourceCheck forThisHost(int portOffset) {
        Set<InetAddress> b = new HashSet<>();
        try {
            for (NetworkInterface nif : NetworkInterface.networkInterfaces().toList()) {
                for (InterfaceAddress ia : nif.getInterfaceAddresses()) {
                    if (ia.getBroadcast() != null) {
                        b.add(ia.getBroadcast());
                    }
                }
            }
        } catch (SocketException e) {
            // no interface list: the limited broadcast and multicast checks still hold
        }
        return new SourceCheck(b, portOffset);
    }

    /** Why a datagram from {@code sender} must not be answered, if it must not. Unix senders always pass. */
    Optional<DropReason> check(SocketAddress sender) {
        if (!(sender instanceof InetSocketAddress inet)) {
            return Optional.empty();
        }
        int port = inet.getPort();
        if (port < FIRST_UNPRIVILEGED_PORT || shifted.get(port)) {
            return Optional.of(DropReason.SOURCE_PORT);
        }
        InetAddress a = inet.getAddress();
        if (a == null || a.isMulticastAddress() || a.isAnyLocalAddress() || isLimitedBroadcast(a) || broadcasts.contains(a)) {
            return Optional.of(DropReason.SOURCE_ADDRESS);
        }
        return Optional.empty();
    }

    private static boolean isLimitedBroadcast(InetAddress a) {
        if (a instanceof Inet4Address) {
            byte[] b = a.getAddress();
            return (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
        }
        return false;
    }
}
