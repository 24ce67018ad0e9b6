package dev.sockit.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Who is served: xinetd's only_from and no_access, the narrower block deciding. */
class AccessListTest {
    private static List<AddressBlock> blocks(String... texts) {
        return Arrays.stream(texts).map(AddressBlock::parse).toList();
    }

    private static AccessList allow(String... texts) {
        return new AccessList(blocks(texts), List.of());
    }

    private static boolean allows(AccessList list, String address) {
        return list.allows(InetAddress.ofLiteral(address));
    }

    @Test
    void anOpenListAllowsEveryone() {
        assertThat(AccessList.OPEN.isOpen()).isTrue();
        assertThat(allows(AccessList.OPEN, "203.0.113.9")).isTrue();
        assertThat(allows(AccessList.OPEN, "2001:db8::1")).isTrue();
        assertThat(AccessList.OPEN).hasToString("from any address");
    }

    @Test
    void withBlocksAllowedOnlyTheyAreServed() {
        AccessList list = allow("192.0.2.0/24", "2001:db8::/32");
        assertThat(allows(list, "192.0.2.9")).isTrue();
        assertThat(allows(list, "2001:db8:1::9")).isTrue();
        assertThat(allows(list, "198.51.100.9")).isFalse();
        assertThat(allows(list, "::1")).as("loopback is not special").isFalse();
        assertThat(list).hasToString("only from 192.0.2.0/24, 2001:db8::/32");
    }

    @Test
    void withOnlyBlocksDeniedEveryoneElseIsServed() {
        AccessList list = new AccessList(List.of(), blocks("198.51.100.0/24"));
        assertThat(allows(list, "198.51.100.1")).isFalse();
        assertThat(allows(list, "198.51.101.1")).isTrue();
        assertThat(allows(list, "::1")).isTrue();
        assertThat(list).hasToString("from any address, not from 198.51.100.0/24");
    }

    @Test
    void theNarrowerBlockDecidesAndDenyWinsATie() {
        AccessList carveOut = new AccessList(blocks("10.0.0.0/8"), blocks("10.1.0.0/16"));
        assertThat(allows(carveOut, "10.2.3.4")).isTrue();
        assertThat(allows(carveOut, "10.1.3.4")).isFalse();
        assertThat(carveOut).hasToString("only from 10.0.0.0/8, not from 10.1.0.0/16");

        AccessList exception = new AccessList(blocks("0.0.0.0/0", "10.1.2.3"), blocks("10.0.0.0/8"));
        assertThat(allows(exception, "10.1.2.3")).as("the one host let into a denied block").isTrue();
        assertThat(allows(exception, "10.1.2.4")).isFalse();
        assertThat(allows(exception, "192.0.2.1")).isTrue();
        assertThat(allows(exception, "::1")).as("0.0.0.0/0 does not allow IPv6").isFalse();

        AccessList tie = new AccessList(blocks("192.0.2.0/24"), blocks("192.0.2.0/24"));
        assertThat(allows(tie, "192.0.2.1")).isFalse();
    }

    @Test
    void judgesIpPeersOnlyAndIpv4MappedOnesAsIpv4() {
        AccessList list = allow("127.0.0.1");
        assertThat(list.allows(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 5))).isTrue();
        assertThat(list.allows(new InetSocketAddress(InetAddress.ofLiteral("::ffff:127.0.0.1"), 5))).isTrue();
        assertThat(list.allows(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 5))).isFalse();
        assertThat(list.allows(UnixSocketAddress.path("/tmp/x.sock"))).as("a local process").isTrue();
        assertThat(list.allows(InetSocketAddress.createUnresolved("127.0.0.1", 5))).as("unresolved: no address to judge").isFalse();
        assertThat(AccessList.OPEN.allows(InetSocketAddress.createUnresolved("example.com", 5))).isTrue();
    }
}
