package dev.sockit.linux;

import dev.sockit.net.Addresses;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

/** A peer's name written straight from a {@code struct sockaddr_in} reads as the decoded address does. */
class SocketAddressesTest {

    @Test
    void anIpv4PeerIsNamedAsTheDecodedAddressIs() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SocketAddresses.STORAGE);
            for (String ip : new String[] {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.200.3.45"}) {
                for (int port : new int[] {0, 1, 80, 51234, 65535}) {
                    inet4(sa, ip, port);
                    String fast = SocketAddresses.inet4Text(sa, 16);
                    assertThat(fast).isEqualTo(ip + ":" + port).isEqualTo(Addresses.format(SocketAddresses.decode(sa, 16)));
                }
            }
        }
    }

    @Test
    void otherFamiliesAreLeftToTheDecoder() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SocketAddresses.STORAGE);
            sa.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET6);
            assertThat(SocketAddresses.inet4Text(sa, 28)).isNull();
            sa.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET);
            assertThat(SocketAddresses.inet4Text(sa, 2)).isNull(); // too short to hold one
        }
    }

    /** Fills {@code sa} as the kernel fills a {@code struct sockaddr_in}: family, port in network order, address. */
    private static void inet4(MemorySegment sa, String ip, int port) throws Exception {
        sa.set(JAVA_SHORT_UNALIGNED, 0, (short) Libc.AF_INET);
        sa.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        sa.set(JAVA_BYTE, 3, (byte) port);
        byte[] a = InetAddress.getByName(ip).getAddress();
        for (int i = 0; i < 4; i++) {
            sa.set(JAVA_BYTE, 4 + i, a[i]);
        }
    }
}
