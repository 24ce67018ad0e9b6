package dev.sockit.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EndpointTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:7", ":7007", "[::1]:7", "[fe80::1%eth0]:7", "example.org:13", "localhost:0",
            "unix:/tmp/x.sock", "unix:@sockit", "[::]:65535", "unix:relative.sock"})
    void printingAndParsingBackGivesTheSameEndpoint(String text) {
        Endpoint e = Endpoint.parse(text);
        assertThat(e.toString()).isEqualTo(text);
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
    }

    @Test
    void partsAreUnderstood() {
        assertThat(Endpoint.parse(":7")).isEqualTo(new Endpoint.Inet("", 7));
        assertThat(((Endpoint.Inet) Endpoint.parse(":7")).isWildcard()).isTrue();
        assertThat(Endpoint.parse("[::1]:7")).isEqualTo(new Endpoint.Inet("::1", 7));
        assertThat(Endpoint.parse("unix:@name")).isEqualTo(new Endpoint.Unix("name", true));
        assertThat(Endpoint.parse("unix:/a/b")).isEqualTo(new Endpoint.Unix("/a/b", false));
    }

    @Test
    void aPortMayBeLeftOutWhereThereIsADefault() {
        assertThat(Endpoint.parse("example.org", OptionalInt.of(13))).isEqualTo(new Endpoint.Inet("example.org", 13));
        assertThat(Endpoint.parse("::1", OptionalInt.of(13))).isEqualTo(new Endpoint.Inet("::1", 13));
        assertThat(Endpoint.parse("[::1]", OptionalInt.of(13))).isEqualTo(new Endpoint.Inet("::1", 13));
        assertThat(Endpoint.parse("2001:db8::1:7", OptionalInt.of(13))).as("a whole IPv6 address, whose last group reads like a port")
                .isEqualTo(new Endpoint.Inet("2001:db8::1:7", 13));
        assertThat(Endpoint.parse("fe80::1%eth0", OptionalInt.of(13))).isEqualTo(new Endpoint.Inet("fe80::1%eth0", 13));
        assertThat(Endpoint.parse("::ffff:127.0.0.1", OptionalInt.of(13))).as("IPv4-mapped, which the JDK reads as IPv4")
                .isEqualTo(new Endpoint.Inet("::ffff:127.0.0.1", 13));
        assertThatThrownBy(() -> Endpoint.parse("::1:17013", OptionalInt.of(13))).as("no IPv6 address has a group of five digits")
                .hasMessage("bad endpoint '::1:17013': write IPv6 addresses in brackets, e.g. [::1]:17013");
        assertThat(Endpoint.parse("host:99", OptionalInt.of(13))).isEqualTo(new Endpoint.Inet("host", 99));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|empty endpoint",
            "localhost|no port",
            "::1:7|write IPv6 addresses in brackets, e.g. [::1]:7",
            "::1|'::1': no port; write [::1]:PORT",
            "2001:db8::1|no port; write [2001:db8::1]:PORT",
            "::ffff:127.0.0.1|no port; write [::ffff:127.0.0.1]:PORT",
            "256.1.1.1:7|'256.1.1.1' is not a valid IP address",
            "[2001:db8::12345]:7|'2001:db8::12345' is not a valid IP address",
            "[::1|missing ]",
            "[::1]7|expected :PORT after ]",
            "host:70000|out of range 0..65535",
            "host:http|is not a number",
            "host:|is not a number",
            "unix:|no path after unix:",
            "unix:@|abstract name after @ is empty",
            "[127.0.0.1]:7|brackets are for IPv6",
            "a b:7|is not a host name or address",
            "1.2.3.4%eth0:7|zone (%) belongs to IPv6"})
    void badEndpointsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void aUnixNameLongerThanLinuxTakesIsABadEndpoint() {
        String longest = "/tmp/" + "s".repeat(Endpoint.MAX_UNIX_PATH - 5);
        assertThat(Endpoint.parse("unix:" + longest)).isEqualTo(new Endpoint.Unix(longest, false));
        assertThatThrownBy(() -> Endpoint.parse("unix:" + longest + "s"))
                .hasMessageContaining("a Unix socket path is at most 106 bytes, this one is 107");
        assertThat(Endpoint.parse("unix:@" + "n".repeat(107))).isEqualTo(new Endpoint.Unix("n".repeat(107), true));
        assertThatThrownBy(() -> Endpoint.parse("unix:@" + "n".repeat(108)))
                .hasMessageContaining("an abstract name is at most 107 bytes, this one is 108");
    }

    @Test
    void boundAddressesPrintInShortForm() throws Exception {
        assertThat(Endpoint.of(new InetSocketAddress(InetAddress.getByName("::1"), 7)).toString()).isEqualTo("[::1]:7");
        assertThat(Endpoint.of(new InetSocketAddress(InetAddress.getByName("::"), 7)).toString()).isEqualTo("[::]:7");
        assertThat(Endpoint.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 7)).toString()).isEqualTo("127.0.0.1:7");
        assertThat(Addresses.format(InetAddress.getByName("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(Addresses.format(InetAddress.getByName("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(Addresses.format(InetAddress.getByName("fe80:0:0:0:0:0:0:1"))).isEqualTo("fe80::1");
    }
}
