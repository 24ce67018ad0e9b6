package dev.sockit.net;

import dev.sockit.server.Server;
import dev.sockit.service.Service;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocketOptionsTest {

    @Test
    void keepAliveIsCheckedAgainstLinuxRanges() {
        assertThat(KeepAlive.parse("1,1,10")).isEqualTo(new KeepAlive(1, 1, 10));
        assertThat(KeepAlive.parse(" 32767, 32767 ,127")).isEqualTo(new KeepAlive(32767, 32767, 127));
        assertThat(KeepAlive.parse("off")).isNull();
        assertThat(new KeepAlive(10, 2, 3).deadAfterSeconds()).isEqualTo(16);
        assertThatThrownBy(() -> KeepAlive.parse("0,1,1")).hasMessage("keepalive idle must be from 1 to 32767, not 0");
        assertThatThrownBy(() -> KeepAlive.parse("1,32768,1")).hasMessage("keepalive interval must be from 1 to 32767, not 32768");
        assertThatThrownBy(() -> KeepAlive.parse("1,1,128")).hasMessage("keepalive count must be from 1 to 127, not 128");
        assertThatThrownBy(() -> KeepAlive.parse("1,1")).hasMessageContaining("IDLE,INTERVAL,COUNT");
        assertThatThrownBy(() -> KeepAlive.parse("a,b,c")).hasMessageContaining("whole numbers");
    }

    @Test
    void optionsAreAppliedToARealSocketAndReadBack() throws Exception {
        SocketOptions o = SocketOptions.DEFAULTS.withKeepAlive(new KeepAlive(7, 3, 4)).withNoDelay(true)
                .withSendBuffer(65536).withLinger(Duration.ofSeconds(2));
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.INET)) {
            o.applyTo(ch, true);
            ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.getLocalPort()));
            assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
            assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(3);
            assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(4);
            assertThat(ch.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThat(ch.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(2);
        }
        String back = o.readBack(StandardProtocolFamily.INET6, null);
        assertThat(back).startsWith("keepalive=7,3,4 nodelay=on sndbuf=").endsWith(" linger=2");
        assertThat(SocketOptions.DEFAULTS.readBack(StandardProtocolFamily.INET, null)).isEmpty();
        assertThat(o.toString()).isEqualTo("keepalive=7,3,4 nodelay=on sndbuf=65536 linger=2");
    }

    @Test
    void aListenerAnnouncesWhatTheKernelApplied() throws Exception {
        RecordingEvents events = new RecordingEvents();
        SocketOptions o = SocketOptions.DEFAULTS.withKeepAlive(new KeepAlive(1, 1, 3)).withReusePort(true);
        try (Server server = Loopback.builder().events(events)
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0"), o).start()) {
            assertThat(server.listeners().getFirst().applied()).isEqualTo("keepalive=1,1,3 reuseport=on");
            assertThat(events.listening.getFirst().options()).isEqualTo(o);
        }
    }

    @Test
    void reusePortLetsTwoServersShareAPort() throws Exception {
        SocketOptions o = SocketOptions.DEFAULTS.withReusePort(true);
        Service echo = Service.named("echo").orElseThrow();
        try (Server first = Loopback.builder().events(new RecordingEvents()).serve(echo, Transport.TCP, Endpoint.parse("127.0.0.1:0"), o).start();
             Server second = Loopback.builder().events(new RecordingEvents()).serve(echo, Transport.TCP, first.endpoint(), o).start()) {
            assertThat(second.endpoint()).isEqualTo(first.endpoint());
        }
    }

    @Test
    void acceptedTcpConnectionsGetNoDelayUnlessTheOptionsSayOtherwise() {
        assertThat(SocketOptions.DEFAULTS.forAcceptedTcp().noDelay()).isTrue();
        assertThat(SocketOptions.DEFAULTS.withNoDelay(false).forAcceptedTcp().noDelay()).as("--nagle").isFalse();
        SocketOptions keep = SocketOptions.DEFAULTS.withKeepAlive(new KeepAlive(7, 3, 4));
        assertThat(keep.forAcceptedTcp()).isEqualTo(keep.withNoDelay(true));
        assertThat(SocketOptions.DEFAULTS.isDefault()).as("what the listening line shows is unchanged").isTrue();
    }
}
