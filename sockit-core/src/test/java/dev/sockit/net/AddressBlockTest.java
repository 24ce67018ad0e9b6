package dev.sockit.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressBlockTest {
    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @ParameterizedTest
    @CsvSource({
            "192.0.2.0/24, 192.0.2.0/24",
            "192.0.2.7, 192.0.2.7",
            "192.0.2.7/32, 192.0.2.7",
            "0.0.0.0/0, 0.0.0.0/0",
            "2001:db8::/32, 2001:db8::/32",
            "2001:0db8:0000::/48, 2001:db8::/48",
            "[2001:db8::]/32, 2001:db8::/32",
            "::1, ::1",
            "::/0, ::/0",
            "::ffff:192.0.2.0/120, 192.0.2.0/24",
            "::ffff:192.0.2.7, 192.0.2.7",
            "' 10.0.0.0/8 ', 10.0.0.0/8"})
    void parsesAddressesAndBlocksAndPrintsThemShort(String text, String printed) {
        assertThat(AddressBlock.parse(text)).hasToString(printed);
        assertThat(AddressBlock.parse(printed)).isEqualTo(AddressBlock.parse(text));
    }

    @Test
    void refusesWhatIsNotABlockSayingWhy() {
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.1/8"))
                .hasMessage("10.0.0.1/8 has address bits set past its /8 (did you mean 10.0.0.0/8?)");
        assertThatThrownBy(() -> AddressBlock.parse("2001:db8::1/64"))
                .hasMessage("2001:db8::1/64 has address bits set past its /64 (did you mean 2001:db8::/64?)");
        assertThatThrownBy(() -> AddressBlock.parse("10.1"))
                .as("the JDK would read it as 10.0.0.1")
                .hasMessage("'10.1' is not an address block: write an IP address, or ADDRESS/PREFIX such as 192.0.2.0/24 or 2001:db8::/32");
        assertThatThrownBy(() -> AddressBlock.parse("example.com")).hasMessageStartingWith("'example.com' is not an address block");
        assertThatThrownBy(() -> AddressBlock.parse("300.0.0.1")).hasMessage("'300.0.0.1' is not an address block: '300.0.0.1' is not an IP address");
        assertThatThrownBy(() -> AddressBlock.parse("2001:db8::g")).hasMessage("'2001:db8::g' is not an address block: '2001:db8::g' is not an IP address");
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.0/33")).hasMessage("'10.0.0.0/33': the prefix after / is from 0 to 32");
        assertThatThrownBy(() -> AddressBlock.parse("::/129")).hasMessage("'::/129': the prefix after / is from 0 to 128");
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.0/")).hasMessage("'10.0.0.0/': the prefix after / is a number of bits, 0 to 32");
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.0/-1")).hasMessage("'10.0.0.0/-1': the prefix after / is a number of bits, 0 to 32");
        assertThatThrownBy(() -> AddressBlock.parse("fe80::1%eth0")).hasMessage("'fe80::1%eth0': an address block has no zone (%...)");
        assertThatThrownBy(() -> AddressBlock.parse("::ffff:0:0/95")).hasMessage("'::ffff:0:0/95': an IPv4-mapped block needs a prefix of at least 96");
        assertThatThrownBy(() -> AddressBlock.parse("::ffff:10.0.0.1/104"))
                .as("said as the user wrote it").hasMessage("'::ffff:10.0.0.1/104' has address bits set past its /104 (did you mean ::ffff:10.0.0.0/104?)");
        assertThatThrownBy(() -> AddressBlock.parse("010.0.0.1"))
                .as("octal to inet_aton, decimal to the JDK").hasMessage("'010.0.0.1': a leading zero makes a number octal to some tools and decimal to others; write it without");
        assertThatThrownBy(() -> AddressBlock.parse("10.0.0.08/32")).hasMessageContaining("a leading zero");
        assertThatThrownBy(() -> AddressBlock.parse(" ")).hasMessage("an empty address block (two commas in a row?)");
    }

    @Test
    void holdsTheAddressesUnderItsPrefixAndNoOthers() {
        AddressBlock b = AddressBlock.parse("192.0.2.128/25");
        assertThat(b.contains(ip("192.0.2.128"))).isTrue();
        assertThat(b.contains(ip("192.0.2.255"))).isTrue();
        assertThat(b.contains(ip("192.0.2.127"))).as("just below").isFalse();
        assertThat(b.contains(ip("192.0.3.128"))).isFalse();
        assertThat(b.contains(ip("::ffff:192.0.2.200"))).as("IPv4-mapped, as a dual-stack socket shows an IPv4 client").isTrue();

        AddressBlock v6 = AddressBlock.parse("2001:db8:8000::/33");
        assertThat(v6.contains(ip("2001:db8:8000::1"))).isTrue();
        assertThat(v6.contains(ip("2001:db8:ffff:ffff::"))).isTrue();
        assertThat(v6.contains(ip("2001:db8:7fff::1"))).as("bit 33 clear").isFalse();
        assertThat(v6.contains(ip("192.0.2.1"))).as("another family").isFalse();

        assertThat(AddressBlock.parse("fe80::/10").contains(ip("fe80::1%1"))).as("a zone does not matter").isTrue();
        assertThat(AddressBlock.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
        assertThat(AddressBlock.parse("0.0.0.0/0").contains(ip("::1"))).as("/0 of IPv4 is all of IPv4, not IPv6").isFalse();
        assertThat(AddressBlock.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(AddressBlock.parse("::1").contains(ip("::2"))).isFalse();
        assertThat(AddressBlock.parse("10.0.0.0/8").contains(ip("0.0.0.0"))).isFalse();
        assertThat(AddressBlock.parse("0.0.0.0").contains(ip("0.0.0.0"))).as("a zero part is no leading zero").isTrue();
    }

    /** The JDK makes ::ffff:a.b.c.d an Inet4Address, but an Inet6Address built from its bytes stays IPv6: both count as IPv4. */
    @Test
    void anIpv4MappedInet6AddressCountsAsIpv4() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 7};
        java.net.Inet6Address six = java.net.Inet6Address.getByAddress(null, mapped, -1);
        assertThat(AddressBlock.parse("192.0.2.0/24").contains(six)).isTrue();
        mapped[15] = 0;
        assertThat(new AddressBlock(java.net.Inet6Address.getByAddress(null, mapped, -1), 120)).isEqualTo(AddressBlock.parse("192.0.2.0/24"));
    }

    @Test
    void aNat64AddressIsNotTheIpv4HostBehindIt() {
        assertThat(AddressBlock.parse("192.0.2.0/24").contains(ip("64:ff9b::c000:207"))).isFalse();
        assertThat(AddressBlock.parse("64:ff9b::/96").contains(ip("64:ff9b::c000:207"))).isTrue();
    }
}
