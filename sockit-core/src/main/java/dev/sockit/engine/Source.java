package dev.sockit.engine;

import dev.sockit.net.Addresses;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * What counts as one source, for the limits that must not let one host take everything: the
 * per-source connection limit and the per-source UDP reply rate. An IPv4 sender is its address. An
 * IPv6 sender is its /64 network: a host is commonly given a whole /64 and may send from, or forge,
 * any address in it, so counting IPv6 addresses one by one would limit nothing. The hosts of one LAN
 * then share their /64, as the hosts behind a NAT share an IPv4 address. Exceptions: link-local and
 * loopback senders count by their address (every link is fe80::/64), and a NAT64 sender (RFC 6052's
 * 64:ff9b::/96) by the IPv4 address inside it.
 */
final class Source {
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private Source() {
    }

    /** The address that stands for {@code sender}'s source: itself, its /64 (the rest zero), or the IPv4 inside it. */
    static InetAddress of(InetAddress sender) {
        if (!(sender instanceof Inet6Address) || sender.isLinkLocalAddress() || sender.isLoopbackAddress()) {
            return sender;
        }
        byte[] b = sender.getAddress();
        try {
            if (Arrays.equals(b, 0, 12, NAT64, 0, 12)) {
                return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
            }
            Arrays.fill(b, 8, 16, (byte) 0);
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }

    /** {@code 192.0.2.7}, {@code 2001:db8::/64}, {@code fe80::1%2}: the source of {@code sender}, as a warning names it. */
    static String describe(InetAddress sender) {
        InetAddress source = of(sender);
        return source == sender || source instanceof Inet4Address ? Addresses.format(source) : Addresses.format(source) + "/64";
    }

    /**
     * The source of a peer as the engines name it, {@code 192.0.2.7:51234} or {@code [2001:db8::7%2]:51234};
     * null for a Unix peer (a local process) or a name that is not an IP address and port.
     */
    static String ofPeer(String peer) {
        if (peer.startsWith("unix:")) {
            return null;
        }
        int colon = peer.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            InetAddress a = addressOf(peer);
            return a.isLinkLocalAddress() && peer.contains("%") ? literal(peer.substring(0, colon)) : describe(a);
        } catch (IllegalArgumentException e) {
            return peer.substring(0, colon); // not a literal after all: count it as it is
        }
    }

    /**
     * The address of a peer as the engines name it ({@code 192.0.2.7:51234}, {@code [fe80::7%2]:51234}),
     * without its zone; null for a Unix peer.
     *
     * @throws IllegalArgumentException if the name is not an IP address and port
     */
    static InetAddress addressOf(String peer) {
        if (peer.startsWith("unix:")) {
            return null;
        }
        int colon = peer.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not an address and port: " + peer);
        }
        String literal = literal(peer.substring(0, colon));
        int zone = literal.indexOf('%');
        return InetAddress.ofLiteral(zone < 0 ? literal : literal.substring(0, zone));
    }

    /** {@code [2001:db8::7%2]} -> {@code 2001:db8::7%2}; an IPv4 address as it is. */
    private static String literal(String address) {
        return address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    }
}
