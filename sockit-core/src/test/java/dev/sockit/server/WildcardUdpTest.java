package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.testing.Loopback;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A UDP listener on every address ({@code :PORT}): it answers on IPv4 and IPv6 loopback alike, on the
 * same port as its TCP twin, and every reply leaves from the address the request was sent to.
 */
class WildcardUdpTest {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private static Server serveEchoEverywhere() throws java.io.IOException {
        return serveEchoOn(":0");
    }

    private static Server serveEchoOn(String endpoint) throws java.io.IOException {
        return Loopback.builder().events(new DatagramTestEvents())
                .serve(Spec.parse("echo@" + endpoint, 0, "", List.of(Transport.TCP, Transport.UDP))).start();
    }

    private static List<InetSocketAddress> udpAddresses(Server server) {
        return server.listeners().stream().filter(l -> l.transport() == Transport.UDP)
                .map(l -> ((Endpoint.Inet) l.bound()).toSocketAddress()).toList();
    }

    @Test
    void portZeroAnswersOnIpv4AndIpv6LoopbackOverUdpAndTcpOnOnePort() throws Exception {
        try (Server server = serveEchoEverywhere()) {
            int port = ((Endpoint.Inet) server.endpoint()).port();
            assertThat(server.listeners()).allSatisfy(l -> assertThat(((Endpoint.Inet) l.bound()).port()).isEqualTo(port));
            assertThat(server.listeners().getFirst().transport()).isEqualTo(Transport.TCP);
            assertThat(server.listeners()).filteredOn(l -> l.transport() == Transport.UDP).extracting(l -> l.bound().toString())
                    .contains("127.0.0.1:" + port, "[::1]:" + port);
            for (String host : new String[] {"127.0.0.1", "::1"}) {
                InetSocketAddress at = new InetSocketAddress(InetAddress.ofLiteral(host), port);
                try (UdpPeer udp = UdpPeer.on(host)) {
                    assertThat(udp.exchange(PING, at)).as("udp echo on %s", host).isEqualTo(PING);
                }
                try (SocketChannel tcp = SocketChannel.open(at)) {
                    tcp.write(ByteBuffer.wrap(PING));
                    ByteBuffer back = ByteBuffer.allocate(PING.length);
                    while (back.hasRemaining() && tcp.read(back) >= 0) {
                        // reading the echo
                    }
                    assertThat(back.array()).as("tcp echo on %s", host).isEqualTo(PING);
                }
            }
        }
    }

    /**
     * The client sends from loopback to one of the host's other addresses, and is connected to it: the
     * kernel then drops any datagram not from exactly that address. A socket bound to the wildcard
     * would answer from loopback (the control below shows it), and the reply would never arrive.
     */
    @ParameterizedTest
    @ValueSource(strings = {":0", "0.0.0.0:0", "[::]:0"})
    void eachReplyLeavesFromTheAddressTheRequestWasSentTo(String everywhere) throws Exception {
        try (Server server = serveEchoOn(everywhere)) {
            if (everywhere.startsWith("0.0.0.0")) {
                assertThat(udpAddresses(server)).as("IPv4's addresses only").allSatisfy(a -> assertThat(a.getAddress()).isInstanceOf(Inet4Address.class));
            }
            assertThat(udpAddresses(server)).as("a socket per address, not one on the wildcard")
                    .noneSatisfy(a -> assertThat(a.getAddress().isAnyLocalAddress()).isTrue());
            List<InetSocketAddress> others = udpAddresses(server).stream()
                    .filter(a -> !a.getAddress().isLoopbackAddress() && !a.getAddress().isLinkLocalAddress()).toList();
            Assumptions.assumeFalse(others.isEmpty(), "this host has no address but loopback to ask from loopback");
            for (InetSocketAddress asked : others) {
                try (UdpPeer client = UdpPeer.on(loopbackLike(asked)).connect(asked)) {
                    assertThat(client.exchange(PING, asked)).as("reply from %s", asked).isEqualTo(PING);
                }
            }
            InetSocketAddress asked = others.getFirst();
            try (UdpPeer wildcard = UdpPeer.bind(new InetSocketAddress(asked.getAddress() instanceof Inet4Address
                    ? InetAddress.ofLiteral("0.0.0.0") : InetAddress.ofLiteral("::"), 0));
                 UdpPeer client = UdpPeer.on(loopbackLike(asked))) {
                InetSocketAddress viaWildcard = new InetSocketAddress(asked.getAddress(), wildcard.local().getPort());
                client.connect(viaWildcard);
                client.send(PING, viaWildcard);
                UdpPeer.Datagram request = wildcard.receive();
                wildcard.send(request.data(), request.from());
                assertThat(client.pending()).as("control: a wildcard socket's reply, from the wrong address, is dropped").isNull();
            }
        }
    }

    private static String loopbackLike(SocketAddress a) {
        return ((InetSocketAddress) a).getAddress() instanceof Inet4Address ? "127.0.0.1" : "::1";
    }

    @Test
    void theSamePortOnOneFamilyIsNotMistakenForAnother() throws Exception {
        try (Server server = Loopback.builder().events(new DatagramTestEvents())
                .serve(Spec.parse("echo/udp@[::1]:0", 0, "", List.of())).start()) {
            assertThat(server.listeners()).singleElement().satisfies(l -> assertThat(l.bound().toString()).startsWith("[::1]:"));
            try (var v4 = java.nio.channels.DatagramChannel.open(StandardProtocolFamily.INET)) {
                v4.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), ((Endpoint.Inet) server.endpoint()).port()));
                assertThat(v4.isOpen()).as("an IPv6-only listener leaves the IPv4 port free").isTrue();
            }
        }
    }
}
