package dev.sockit.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static dev.sockit.client.Peers.V4;
import static dev.sockit.client.Peers.V6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class HappyEyeballsTest {

    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void interleavesFamiliesIpv6First() {
        List<InetAddress> resolved = List.of(ip("192.0.2.1"), ip("192.0.2.2"), ip("2001:db8::1"), ip("2001:db8::2"), ip("2001:db8::3"));
        assertThat(HappyEyeballs.interleave(resolved)).containsExactly(
                ip("2001:db8::1"), ip("192.0.2.1"), ip("2001:db8::2"), ip("192.0.2.2"), ip("2001:db8::3"));
    }

    @Test
    void interleavesASingleFamilyInItsOwnOrder() {
        List<InetAddress> v4 = List.of(ip("192.0.2.2"), ip("192.0.2.1"));
        assertThat(HappyEyeballs.interleave(v4)).containsExactly(ip("192.0.2.2"), ip("192.0.2.1"));
    }

    @Test
    void connectsToTheSecondAddressWhileTheFirstNeverAnswersAndAbandonsTheFirst() throws Exception {
        try (Peers.Unanswering silent = new Peers.Unanswering(V6);
             ServerSocket good = new ServerSocket(0, 50, V4)) {
            InetSocketAddress goodAddress = (InetSocketAddress) good.getLocalSocketAddress();
            // A long timeout, a short attempt delay: only the delay can have started the second attempt.
            HappyEyeballs he = new HappyEyeballs(Duration.ofMillis(50), Duration.ofSeconds(20));

            HappyEyeballs.Connected c = he.connect(List.of(silent.address(), goodAddress), "tcp test");

            try (var ch = c.channel(); Socket accepted = good.accept()) {
                assertThat(c.address()).isEqualTo(goodAddress);
                assertThat(c.channel().getRemoteAddress()).isEqualTo(goodAddress);
                assertThat(accepted.getPort()).isEqualTo(((InetSocketAddress) c.channel().getLocalAddress()).getPort());
                assertThat(c.attempts()).extracting(Attempt::address, Attempt::outcome).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(silent.address(), Attempt.Outcome.ABANDONED),
                        org.assertj.core.groups.Tuple.tuple(goodAddress, Attempt.Outcome.CONNECTED));
                assertThat(c.channel().isBlocking()).isTrue();
            }
        }
    }

    @Test
    void aRefusedAddressStartsTheNextAttemptAtOnce() throws Exception {
        int dead = Peers.deadPort(V6);
        try (ServerSocket good = new ServerSocket(0, 50, V4)) {
            InetSocketAddress refused = new InetSocketAddress(V6, dead);
            InetSocketAddress goodAddress = (InetSocketAddress) good.getLocalSocketAddress();
            // An attempt delay longer than the test's timeout: only the failure can start the second attempt.
            HappyEyeballs he = new HappyEyeballs(Duration.ofMinutes(5), Duration.ofMinutes(5));

            HappyEyeballs.Connected c = he.connect(List.of(refused, goodAddress), "tcp test");

            try (var ch = c.channel()) {
                assertThat(c.address()).isEqualTo(goodAddress);
                assertThat(c.attempts()).containsExactly(Attempt.failed(refused, "refused"),
                        new Attempt(goodAddress, Attempt.Outcome.CONNECTED, ""));
            }
        }
    }

    @Test
    void whenEveryAddressFailsEachOneIsReportedWithItsReason() throws Exception {
        int dead6 = Peers.deadPort(V6);
        int dead4 = Peers.deadPort(V4);
        try (Peers.Unanswering silent = new Peers.Unanswering(V4)) {
            InetSocketAddress refused6 = new InetSocketAddress(V6, dead6);
            InetSocketAddress refused4 = new InetSocketAddress(V4, dead4);
            HappyEyeballs he = new HappyEyeballs(Duration.ofMillis(10), Duration.ofMillis(500));

            assertThatThrownBy(() -> he.connect(List.of(refused6, silent.address(), refused4), "tcp example.test:7"))
                    .isInstanceOfSatisfying(ConnectFailedException.class, e -> {
                        assertThat(e.attempts()).containsExactly(
                                Attempt.failed(refused6, "refused"),
                                Attempt.failed(silent.address(), "timed out after 500ms"),
                                Attempt.failed(refused4, "refused"));
                        assertThat(e.getMessage()).isEqualTo("cannot connect to tcp example.test:7 — [::1]:" + dead6 + " refused; 127.0.0.1:"
                                + silent.address().getPort() + " timed out after 500ms; 127.0.0.1:" + dead4 + " refused");
                    });
        }
    }

    @Test
    void addressesNotReachedBeforeTheTimeoutAreReportedAsNotTried() throws Exception {
        try (Peers.Unanswering silent = new Peers.Unanswering(V4)) {
            InetSocketAddress never = new InetSocketAddress(V6, 9);
            HappyEyeballs he = new HappyEyeballs(Duration.ofMinutes(5), Duration.ofMillis(200));

            assertThatThrownBy(() -> he.connect(List.of(silent.address(), never), "tcp t:9"))
                    .isInstanceOfSatisfying(ConnectFailedException.class, e -> assertThat(e.attempts()).containsExactly(
                            Attempt.failed(silent.address(), "timed out after 200ms"),
                            Attempt.failed(never, "not tried (timed out after 200ms before its turn)")));
        }
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> new HappyEyeballs(Duration.ofMillis(-1), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HappyEyeballs(Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HappyEyeballs(Duration.ZERO, Duration.ofSeconds(1)).connect(List.of(), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
