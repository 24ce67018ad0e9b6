package dev.sockit.linux;

import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The address accept4(2) or getpeername(2) wrote ({@code struct sockaddr_in}, {@code sockaddr_in6}
 * or {@code sockaddr_un}) as a Java {@link SocketAddress}. An IPv4 client of a dual-stack listener
 * arrives as an IPv4-mapped IPv6 address ({@code ::ffff:127.0.0.1}); it is given back as IPv4, as the
 * JDK does, so a peer reads the same whichever engine accepted it.
 */
public final class SocketAddresses {
    /** {@code sizeof(struct sockaddr_storage)}: room for any of them. */
    public static final int STORAGE = 128;

    private SocketAddresses() {
    }

    /** The address in the first {@code length} bytes of {@code sa}. */
    public static SocketAddress decode(MemorySegment sa, int length) {
        if (length < 2) {
            return dev.sockit.net.UnixSocketAddress.unnamed();
        }
        int family = sa.get(JAVA_SHORT_UNALIGNED, 0);
        try {
            return switch (family) {
                case Libc.AF_INET -> new InetSocketAddress(InetAddress.getByAddress(bytes(sa, 4, 4)), port(sa));
                case Libc.AF_INET6 -> {
                    byte[] a = bytes(sa, 8, 16);
                    int scope = sa.get(JAVA_INT_UNALIGNED, 24);
                    InetAddress address = mapped(a) ? InetAddress.getByAddress(java.util.Arrays.copyOfRange(a, 12, 16))
                            : Inet6Address.getByAddress(null, a, scope);
                    yield new InetSocketAddress(address, port(sa));
                }
                case Libc.AF_UNIX -> UnixAddresses.decode(sa, length);
                default -> throw new IllegalArgumentException("address family " + family);
            };
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // only for a wrong length, which these are not
        }
    }

    /** A peer at the address in {@code sa} as sockit shows it ({@code 192.0.2.7:51234}), or {@code (unknown)} when it cannot be read. */
    public static String peerText(MemorySegment sa, int length) {
        try {
            return dev.sockit.net.Addresses.format(decode(sa, length));
        } catch (IllegalArgumentException e) {
            return "(unknown)";
        }
    }

    /**
     * An IPv4 address and port as sockit shows them ({@code 127.0.0.1:51234}, what
     * {@code Addresses.format} makes of the decoded address), written straight from the bytes; null
     * for any other family. A server names every peer it accepts, and this spares it the address
     * objects on the way.
     */
    public static String inet4Text(MemorySegment sa, int length) {
        if (length < 8 || sa.get(JAVA_SHORT_UNALIGNED, 0) != Libc.AF_INET) {
            return null;
        }
        StringBuilder b = new StringBuilder(21);
        for (int i = 0; i < 4; i++) {
            b.append(sa.get(JAVA_BYTE, 4 + i) & 0xff).append(i < 3 ? '.' : ':');
        }
        return b.append(port(sa)).toString();
    }

    /**
     * Writes {@code a} into {@code sa} as a socket of {@code family} (AF_INET or AF_INET6) takes it:
     * on an IPv6 socket an IPv4 address is IPv4-mapped. Returns the address's length.
     *
     * @throws IllegalArgumentException for an IPv6 address to an IPv4 socket
     */
    public static int encode(InetSocketAddress a, int family, MemorySegment sa) {
        byte[] ip = a.getAddress().getAddress();
        short port = Short.reverseBytes((short) a.getPort());
        sa.fill((byte) 0);
        if (family == Libc.AF_INET) {
            if (ip.length != 4) {
                throw new IllegalArgumentException("an IPv6 address to an IPv4 socket: " + a);
            }
            sa.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET);
            sa.set(JAVA_SHORT_UNALIGNED, 2, port);
            MemorySegment.copy(ip, 0, sa, JAVA_BYTE, 4, 4);
            return 16;
        }
        sa.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET6);
        sa.set(JAVA_SHORT_UNALIGNED, 2, port);
        if (ip.length == 4) {
            sa.set(JAVA_BYTE, 18, (byte) 0xff);
            sa.set(JAVA_BYTE, 19, (byte) 0xff);
            MemorySegment.copy(ip, 0, sa, JAVA_BYTE, 20, 4);
        } else {
            MemorySegment.copy(ip, 0, sa, JAVA_BYTE, 8, 16);
            if (a.getAddress() instanceof Inet6Address six) {
                sa.set(JAVA_INT_UNALIGNED, 24, six.getScopeId());
            }
        }
        return 28;
    }

    private static int port(MemorySegment sa) {
        return Short.toUnsignedInt(Short.reverseBytes(sa.get(JAVA_SHORT_UNALIGNED, 2)));
    }

    private static byte[] bytes(MemorySegment sa, long offset, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(sa, JAVA_BYTE, offset, b, 0, n);
        return b;
    }

    private static boolean mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }
}
