package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.KeepAlive;
import dev.sockit.net.SocketOptions;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.time.Duration;

import static dev.sockit.client.Peers.V4;
import static dev.sockit.client.Peers.V6;
import static org.assertj.core.api.Assertions.assertThat;

/** The shared socket options (keepalive above all) on the sockets clients connect and listen accepts. */
@Timeout(30)
class ClientSocketOptionsTest {
    private static final SocketOptions KEEPALIVE = SocketOptions.DEFAULTS.withKeepAlive(KeepAlive.parse("7,3,5")).withNoDelay(true);

    @Test
    void aConnectedSocketCarriesTheOptions() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, V6)) {
            Dialer d = new Dialer(ClientOptions.defaults().withSocketOptions(KEEPALIVE));
            try (Connection c = d.connect(Endpoint.of(server.getLocalSocketAddress()))) {
                assertThat(c.channel().getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                assertThat(c.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
                assertThat(c.channel().getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(3);
                assertThat(c.channel().getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(5);
                assertThat(c.channel().getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            }
        }
    }

    @Test
    void withoutOptionsTheSystemDefaultsStay() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, V4);
             Connection c = Peers.dialer().connect(Endpoint.of(server.getLocalSocketAddress()))) {
            assertThat(c.channel().getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
        }
    }

    @Test
    void anAcceptedSocketCarriesTheOptions() throws Exception {
        try (Acceptor a = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 1, KEEPALIVE);
             Socket client = new Socket()) {
            client.connect(((Endpoint.Inet) a.endpoint()).toSocketAddress(), 5000);
            try (Connection c = a.accept(Duration.ZERO)) {
                assertThat(c.channel().getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                assertThat(c.channel().getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(7);
            }
        }
    }
}
