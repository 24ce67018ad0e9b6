package dev.sockit.client;

import dev.sockit.net.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class DatagramListenerTest {

    /** :PORT is every address, IPv4 and IPv6 alike. */
    @Test
    void aWildcardListensOnBothFamilies() throws Exception {
        try (DatagramListener l = DatagramListener.bind(Endpoint.parse(":0"))) {
            Endpoint.Inet at = (Endpoint.Inet) l.endpoint();
            assertThat(at.host()).isEqualTo("::");
            try (DatagramChannel v6 = DatagramChannel.open(StandardProtocolFamily.INET6)) {
                v6.send(ByteBuffer.wrap("over ipv6".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress("::1", at.port()));
                assertThat(new String(l.awaitFirst(Duration.ofSeconds(5)).payload(), StandardCharsets.US_ASCII)).isEqualTo("over ipv6");
            }
        }
    }

    /** 0.0.0.0 is IPv4's addresses only, as over TCP: a dual-stack socket took it for [::] and heard ::1 too. */
    @Test
    void anIpv4WildcardListensOnIpv4Only() throws Exception {
        try (DatagramListener l = DatagramListener.bind(Endpoint.parse("0.0.0.0:0"))) {
            Endpoint.Inet at = (Endpoint.Inet) l.endpoint();
            assertThat(at.host()).isEqualTo("0.0.0.0");

            try (DatagramChannel v6 = DatagramChannel.open(StandardProtocolFamily.INET6)) {
                v6.connect(new InetSocketAddress("::1", at.port()));
                v6.write(ByteBuffer.wrap("over ipv6".getBytes(StandardCharsets.US_ASCII)));
                // loopback answers a datagram to a port nobody has with ICMP at once: nothing listens on ::1
                assertThatThrownBy(() -> v6.read(ByteBuffer.allocate(16))).isInstanceOf(PortUnreachableException.class);
            }
            try (DatagramChannel v4 = DatagramChannel.open(StandardProtocolFamily.INET)) {
                v4.send(ByteBuffer.wrap("over ipv4".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress("127.0.0.1", at.port()));
                assertThat(new String(l.awaitFirst(Duration.ofSeconds(5)).payload(), StandardCharsets.US_ASCII)).isEqualTo("over ipv4");
            }
        }
    }
}
