package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.service.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static dev.sockit.client.Peers.V4;
import static dev.sockit.client.Peers.V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class DialerTest {

    private static Resolver names(String name, InetAddress... addresses) {
        return host -> {
            if (host.equals(name)) {
                return List.of(addresses);
            }
            throw new UnknownHostException("unknown host '" + host + "' (the name has no A or AAAA record)");
        };
    }

    @Test
    void triesIpv6FirstAndFallsBackToIpv4ForANameWithBoth() throws Exception {
        // The name's IPv6 address has nobody on the port; its IPv4 address has sockit's daytime server.
        try (Server server = Peers.sockit("daytime", "127.0.0.1", Settings.defaults())) {
            int port = ((Endpoint.Inet) server.endpoint()).port();
            Dialer dialer = Peers.dialer(names("dual.test", V4, V6));
            // Nobody listens on [::1] at that port: the server is bound to 127.0.0.1 only.
            try (Connection c = dialer.connect(new Endpoint.Inet("dual.test", port))) {
                assertThat(c.peer()).isEqualTo("127.0.0.1:" + port);
                assertThat(c.attempts()).containsExactly(
                        Attempt.failed(new InetSocketAddress(V6, port), "refused"),
                        new Attempt(new InetSocketAddress(V4, port), Attempt.Outcome.CONNECTED, ""));
            }
        }
    }

    @Test
    void restrictsToOneFamily() throws Exception {
        Dialer v4only = new Dialer(ClientOptions.defaults().withResolver(names("dual.test", V6, V4)).withFamily(Family.IPV4));
        Dialer v6only = new Dialer(ClientOptions.defaults().withResolver(names("dual.test", V6, V4)).withFamily(Family.IPV6));

        assertThat(v4only.addresses(new Endpoint.Inet("dual.test", 7))).containsExactly(new InetSocketAddress(V4, 7));
        assertThat(v6only.addresses(new Endpoint.Inet("dual.test", 7))).containsExactly(new InetSocketAddress(V6, 7));
    }

    @Test
    void saysWhenTheNameHasNoAddressOfTheAskedFamily() {
        Dialer v6only = new Dialer(ClientOptions.defaults().withResolver(names("v4.test", V4)).withFamily(Family.IPV6));

        assertThatThrownBy(() -> v6only.connect(new Endpoint.Inet("v4.test", 7)))
                .isInstanceOf(UnknownHostException.class)
                .hasMessage("'v4.test' has no IPv6 address (it has 127.0.0.1)");
    }

    @Test
    void anUnknownNameSaysSo() {
        assertThatThrownBy(() -> Peers.dialer(names("known.test", V4)).connect(new Endpoint.Inet("nosuch.test", 7)))
                .isInstanceOf(UnknownHostException.class)
                .hasMessage("unknown host 'nosuch.test' (the name has no A or AAAA record)");
    }

    @Test
    void theSystemResolverGivesLocalhostBothLoopbackAddresses() throws Exception {
        assertThat(Resolver.system().resolve("localhost")).containsExactly(V6, V4);
        assertThat(Resolver.system().resolve("Echo.LOCALHOST.")).containsExactly(V6, V4);
        assertThat(Resolver.system().resolve("::1")).containsExactly(V6);
        assertThat(Resolver.system().resolve("127.0.0.1")).containsExactly(V4);
    }

    @Test
    void dropsRepeatedAddresses() throws Exception {
        Dialer d = Peers.dialer(names("twice.test", V4, V4, V6));
        assertThat(d.addresses(new Endpoint.Inet("twice.test", 9))).containsExactly(new InetSocketAddress(V6, 9), new InetSocketAddress(V4, 9));
    }

    @Test
    void aWildcardEndpointIsNoPlaceToConnectTo() {
        assertThatThrownBy(() -> Peers.dialer().connect(Endpoint.parse(":7")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("':7' names no host; write HOST:PORT, e.g. localhost:7");
    }

    @Test
    void connectsToAUnixStreamSocket(@TempDir Path dir) throws Exception {
        Endpoint unix = Endpoint.parse("unix:" + dir.resolve("echo.sock"));
        try (Server server = Peers.sockit("echo", unix, Settings.defaults());
             Connection c = Peers.dialer().connect(unix)) {
            assertThat(c.peer()).isEqualTo(unix.toString());
            c.write(java.nio.ByteBuffer.wrap("hi\n".getBytes()));
            c.shutdownOutput();
            assertThat(OneShotClient.readToEnd(c, 100, "echo")).isEqualTo("hi\n".getBytes());
            assertThat(server).isNotNull();
        }
    }

    @Test
    void aMissingUnixSocketSaysSo(@TempDir Path dir) {
        Endpoint unix = Endpoint.parse("unix:" + dir.resolve("nobody.sock"));
        assertThatThrownBy(() -> Peers.dialer().connect(unix))
                .hasMessage("cannot connect to unix " + unix + " — no such socket file");
    }

    @Test
    void whereLibcCannotBeUsedUnixDatagramsAndAbstractNamesAreRefusedUpFrontSayingWhy(@TempDir Path dir) {
        // On Linux these work (UnixClientsTest); elsewhere the check says what and why before any socket is made.
        Optional<String> notLinux = Optional.of("this needs Linux (this is Mac OS X)");
        Endpoint abstractName = Endpoint.parse("unix:@sockit-test");
        Endpoint path = Endpoint.parse("unix:" + dir.resolve("dgram.sock"));

        assertThatThrownBy(() -> UnsupportedTransportException.check(Transport.TCP, abstractName, notLinux))
                .isInstanceOf(UnsupportedTransportException.class)
                .hasMessage("abstract Unix names such as unix:@sockit-test are not available here (this needs Linux (this is Mac OS X)):"
                        + " the JDK cannot address them and sockit reaches them through libc; use a path, unix:/path");
        assertThatThrownBy(() -> UnsupportedTransportException.check(Transport.UDP, path, notLinux))
                .hasMessage("unixgram endpoints such as " + path + " are not available here (this needs Linux (this is Mac OS X)):"
                        + " the JDK has no Unix datagram sockets and sockit makes them through libc; use a Unix stream socket (no --udp) or UDP");
        UnsupportedTransportException.check(Transport.TCP, path, notLinux); // a Unix stream path is the JDK's: fine anywhere
        UnsupportedTransportException.check(Transport.UDP, Endpoint.parse("127.0.0.1:7"), notLinux);
        UnsupportedTransportException.check(Transport.UDP, abstractName, Optional.empty()); // here, on Linux
    }
}
