package dev.sockit.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Address formatting the JDK lacks: IPv6 in the short form of RFC 5952 ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
public final class Addresses {
    private Addresses() {
    }

    /** The address as a literal: dotted IPv4, RFC 5952 IPv6 with its zone, IPv4-mapped IPv6 shown as IPv4. */
    public static String format(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        Inet6Address a6 = (Inet6Address) address;
        byte[] b = a6.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero groups becomes "::" (the first, if runs tie).
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        if (a6.getScopeId() != 0 || a6.getScopedInterface() != null) {
            sb.append('%').append(a6.getScopedInterface() != null ? a6.getScopedInterface().getName() : a6.getScopeId());
        }
        return sb.toString();
    }

    /** {@code 1.2.3.4:5} or {@code [::1]:5}: how sockit shows a peer. */
    public static String format(java.net.InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        String host = format(a.getAddress());
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Any socket address as sockit shows it; an unnamed Unix socket is {@code unix:(unnamed)}. */
    public static String format(java.net.SocketAddress a) {
        return switch (a) {
            case java.net.InetSocketAddress inet -> format(inet);
            case UnixSocketAddress u -> u.toString();
            case java.net.UnixDomainSocketAddress u when u.getPath().toString().isEmpty() -> "unix:(unnamed)";
            case null -> "?";
            default -> Endpoint.of(a).toString();
        };
    }
}
