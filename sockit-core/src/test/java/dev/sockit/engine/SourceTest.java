package dev.sockit.engine;

import dev.sockit.server.DropReason;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What one source is, for the per-source connection limit and the per-source UDP reply rate. */
class SourceTest {

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void anIpv4SenderIsItsAddressAndAnIpv6SenderItsSlash64() {
        assertThat(Source.of(ip("192.0.2.7"))).isEqualTo(ip("192.0.2.7"));
        assertThat(Source.of(ip("2001:db8:1:2:3:4:5:6"))).isEqualTo(ip("2001:db8:1:2::"));
        assertThat(Source.of(ip("2001:db8:1:2:ffff::"))).isEqualTo(Source.of(ip("2001:db8:1:2::1")));
        assertThat(Source.of(ip("2001:db8:1:3::1"))).isNotEqualTo(Source.of(ip("2001:db8:1:2::1")));
        assertThat(Source.describe(ip("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(Source.describe(ip("192.0.2.7"))).isEqualTo("192.0.2.7");
    }

    @Test
    void linkLocalAndLoopbackCountByAddressAndNat64ByTheIpv4Inside() {
        assertThat(Source.of(ip("fe80::1"))).isEqualTo(ip("fe80::1"));
        assertThat(Source.of(ip("fe80::2"))).as("every link is fe80::/64: hosts differ only after it").isNotEqualTo(Source.of(ip("fe80::1")));
        assertThat(Source.of(ip("::1"))).isEqualTo(ip("::1"));
        assertThat(Source.of(ip("64:ff9b::c000:207"))).isEqualTo(ip("192.0.2.7"));
        assertThat(Source.describe(ip("64:ff9b::c000:207"))).isEqualTo("192.0.2.7");
    }

    @Test
    void theUdpReplyRateCountsAnIpv6SenderByItsSlash64() {
        ReplyGuard guard = new ReplyGuard(ReplyLimits.none().withPerSource(1, 2), new SourceCheck(Set.of()), () -> 0L);
        assertThat(replies(guard, "2001:db8::1", 5)).isEqualTo(2);
        assertThat(replies(guard, "2001:db8::ffff:2", 5)).as("another address of the same /64: the same budget").isZero();
        assertThat(replies(guard, "2001:db8:0:1::1", 5)).as("the next /64").isEqualTo(2);
        assertThat(replies(guard, "192.0.2.7", 5)).isEqualTo(2);
        assertThat(replies(guard, "192.0.2.8", 5)).as("IPv4: per address").isEqualTo(2);
        assertThat(guard.check(new InetSocketAddress(ip("2001:db8::3"), 7))).contains(DropReason.SOURCE_RATE);
    }

    private static long replies(ReplyGuard guard, String sender, int tries) {
        InetSocketAddress from = new InetSocketAddress(ip(sender), 40000);
        return IntStream.range(0, tries).filter(i -> guard.check(from).isEmpty()).count();
    }
}
