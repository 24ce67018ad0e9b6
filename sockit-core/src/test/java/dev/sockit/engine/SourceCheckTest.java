package dev.sockit.engine;

import dev.sockit.net.UnixSocketAddress;
import dev.sockit.server.DropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Which senders a UDP small service refuses to answer, as BSD inetd does. */
class SourceCheckTest {
    private final SourceCheck check = new SourceCheck(Set.of(InetAddress.ofLiteral("192.0.2.255")));

    private static InetSocketAddress at(String address, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(address), port);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 13, 19, 37, 53, 123, 1023})
    void sourcePortsBelow1024AreNeverAnswered(int port) {
        assertThat(check.check(at("127.0.0.1", port))).contains(DropReason.SOURCE_PORT);
        assertThat(check.check(at("::1", port))).contains(DropReason.SOURCE_PORT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 40_000, 65_535})
    void unprivilegedSourcePortsAreAnswered(int port) {
        assertThat(check.check(at("127.0.0.1", port))).isEmpty();
        assertThat(check.check(at("2001:db8::7", port))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"255.255.255.255", "192.0.2.255", "224.0.0.1", "239.255.255.250", "0.0.0.0", "ff02::1", "ff05::1:3", "::",
            "::ffff:224.0.0.1"})
    void broadcastMulticastAndUnspecifiedSourcesAreNeverAnswered(String address) {
        assertThat(check.check(at(address, 40_000))).contains(DropReason.SOURCE_ADDRESS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "192.0.2.7", "10.255.255.255", "::1", "fe80::1", "2001:db8::1"})
    void ordinaryUnicastSourcesAreAnswered(String address) {
        // 10.255.255.255 is a broadcast address only on a network this host is not on.
        assertThat(check.check(at(address, 40_000))).isEmpty();
    }

    @Test
    void atAPortOffsetTheSmallServicesPortsAtThatOffsetAreRefusedToo() {
        SourceCheck offset = new SourceCheck(Set.of(), 10_000); // --port-offset 10000
        for (int port : new int[] {10_007, 10_009, 10_013, 10_017, 10_019, 10_037}) {
            assertThat(offset.check(at("192.0.2.7", port))).as("port %d", port).contains(DropReason.SOURCE_PORT);
        }
        for (int port : new int[] {10_006, 10_008, 10_020, 10_038, 20_019, 40_000}) {
            assertThat(offset.check(at("192.0.2.7", port))).as("port %d", port).isEmpty();
        }
    }

    @Test
    void withoutAnOffsetOnlyPortsBelow1024AreRefused() {
        for (int port = 1024; port <= 65_535; port++) {
            assertThat(check.check(at("192.0.2.7", port))).isEmpty();
        }
    }

    @Test
    void unixSendersHaveNoPortsAndAreNotChecked() {
        assertThat(check.check(UnixSocketAddress.path("/run/client.sock"))).isEmpty();
        assertThat(check.check(UnixSocketAddress.abstractName("client"))).isEmpty();
    }
}
