package dev.sockit.server;

import dev.sockit.net.AccessList;
import dev.sockit.net.AddressBlock;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starting, limits, one-at-a-time serving, graceful stop and the errors a user sees. */
@Timeout(60)
class ServerLifecycleTest {
    private final RecordingEvents events = new RecordingEvents();

    @Test
    void portZeroReportsTheRealPortAndTheWildcardServesBothFamilies() throws Exception {
        try (Server server = Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, Endpoint.parse(":0"))
                .events(events).start()) {
            Endpoint.Inet bound = (Endpoint.Inet) server.endpoint();
            assertThat(bound.port()).isPositive();
            assertThat(events.listening).extracting(Listener::bound).containsExactly(bound);
            for (String host : List.of("127.0.0.1", "::1")) {
                try (Socket s = new Socket(host, bound.port())) {
                    s.getOutputStream().write("x".getBytes(US_ASCII));
                    assertThat(s.getInputStream().read()).isEqualTo('x');
                }
            }
        }
    }

    @Test
    void iterativeServesOneConnectionAtATime() throws Exception {
        try (Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events, b -> b.iterative(true));
             Socket first = Loopback.connect(server); Socket second = Loopback.connect(server)) {
            first.getOutputStream().write('a');
            assertThat(first.getInputStream().read()).isEqualTo('a');
            second.getOutputStream().write('b');
            second.setSoTimeout(500);
            InputStream secondIn = second.getInputStream();
            assertThatThrownBy(secondIn::read).as("second waits while first is served").isInstanceOf(SocketTimeoutException.class);
            first.close();
            second.setSoTimeout(10_000);
            assertThat(secondIn.read()).isEqualTo('b');
        }
    }

    @Test
    void stopLetsAnInFlightEchoFinishAndRefusesNewClients() throws Exception {
        Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events);
        var address = Loopback.address(server);
        try (Socket s = Loopback.connect(server)) {
            OutputStream out = s.getOutputStream();
            out.write("first half ".getBytes(US_ASCII));
            assertThat(s.getInputStream().readNBytes(11)).isEqualTo("first half ".getBytes(US_ASCII));
            server.stopAccepting();
            // From the moment stopAccepting returns, new clients are refused.
            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close()).isInstanceOf(ConnectException.class);
            }
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofSeconds(20)));
            assertThat(stopped).isNotDone();
            out.write("second half".getBytes(US_ASCII));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), US_ASCII)).isEqualTo("second half");
            assertThat(stopped.get()).as("drained within the grace period").isTrue();
        }
    }

    @Test
    void connectionsStillOpenAfterTheGracePeriodAreClosed() throws Exception {
        Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events);
        try (Socket idle = Loopback.connect(server)) {
            idle.getOutputStream().write('x');
            assertThat(idle.getInputStream().read()).isEqualTo('x');
            assertThat(server.stop(Duration.ofMillis(200))).isFalse();
            assertThat(events.nextEnded(Duration.ofSeconds(5)).outcome()).isEqualTo("server stopping");
            assertThat(idle.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events, b -> b.idleTimeout(Duration.ofMillis(300)));
             Socket silent = Loopback.connect(server)) {
            assertThat(silent.getInputStream().read()).isEqualTo(-1);
            assertThat(events.nextEnded(Duration.ofSeconds(5)).outcome()).isEqualTo("idle timeout");
        }
    }

    /**
     * --max-per-source: a third connection from one address is closed at once while two are open; another
     * address is served meanwhile, and the first address again once one of its connections has ended.
     */
    @Test
    void maxPerSourceClosesWhatOneAddressOpensPastTheLimit() throws Exception {
        try (Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events, b -> b.maxPerSource(2).maxConnections(100));
             Socket first = Loopback.connect(server); Socket second = Loopback.connect(server)) {
            for (Socket s : List.of(first, second)) {
                s.getOutputStream().write('a');
                assertThat(s.getInputStream().read()).isEqualTo('a');
            }
            Endpoint.Inet at = (Endpoint.Inet) server.endpoint();
            try (Socket third = new Socket("127.0.0.1", at.port())) {
                third.setSoTimeout(10_000);
                assertThat(third.getInputStream().read()).as("closed at once, nothing served").isEqualTo(-1);
            }
            try (Socket other = new Socket()) {
                other.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
                other.connect(new java.net.InetSocketAddress("127.0.0.1", at.port()), 5000);
                other.getOutputStream().write('b');
                assertThat(other.getInputStream().read()).as("another address is served").isEqualTo('b');
            }
            assertThat(events.nextEnded(Duration.ofSeconds(5)).peer()).startsWith("127.0.0.2:");
            first.close();
            assertThat(events.nextEnded(Duration.ofSeconds(5)).peer()).isEqualTo("127.0.0.1:" + first.getLocalPort());
            int againPort;
            try (Socket again = Loopback.connect(server)) {
                againPort = again.getLocalPort();
                again.getOutputStream().write('c');
                assertThat(again.getInputStream().read()).as("served once one of the two has ended").isEqualTo('c');
            }
            assertThat(events.warnings).containsExactly(
                    "refused 1 connection(s) from sources that already had 2 open (the per-source limit), the last from 127.0.0.1");
            assertThat(events.nextEnded(Duration.ofSeconds(5)).peer()).as("the server has let go of it too").isEqualTo("127.0.0.1:" + againPort);
            try (Socket hold = Loopback.connect(server)) { // with second, two open again
                hold.getOutputStream().write('d');
                assertThat(hold.getInputStream().read()).isEqualTo('d');
                for (int i = 0; i < 2; i++) { // two more within the interval: counted, to be said at its end
                    try (Socket more = new Socket("127.0.0.1", at.port())) {
                        more.setSoTimeout(10_000);
                        assertThat(more.getInputStream().read()).isEqualTo(-1);
                    }
                }
                server.stopAccepting(); // the interval's end never comes: stopping says them
            }
            assertThat(events.warnings).containsExactly(
                    "refused 1 connection(s) from sources that already had 2 open (the per-source limit), the last from 127.0.0.1",
                    "refused 2 connection(s) from sources that already had 2 open (the per-source limit), the last from 127.0.0.1");
        }
    }

    /**
     * An access list (--allow/--deny): a connection from a denied address is closed before any byte
     * is served, and gives its connection token back (one token here: a leak would leave the allowed
     * client waiting); an allowed address is served; the refusals are said in one warning.
     */
    @Test
    void anAccessListClosesConnectionsFromAddressesItDoesNotAllow() throws Exception {
        AccessList list = new AccessList(List.of(AddressBlock.parse("127.0.0.0/8")), List.of(AddressBlock.parse("127.0.0.1")));
        try (Server server = Loopback.serve("127.0.0.1", "daytime", Settings.defaults(), events, b -> b.access(list).maxConnections(1))) {
            for (int i = 0; i < 3; i++) {
                try (Socket denied = Loopback.connect(server)) {
                    assertThat(denied.getInputStream().read()).as("closed at once, nothing served").isEqualTo(-1);
                }
            }
            try (Socket allowed = new Socket()) {
                allowed.bind(new InetSocketAddress("127.0.0.2", 0));
                allowed.connect(Loopback.address(server), 5000);
                allowed.setSoTimeout(10_000);
                assertThat(new String(Loopback.readAll(allowed), US_ASCII)).as("127.0.0.2 is allowed").endsWith("\r\n");
            }
            assertThat(events.nextEnded(Duration.ofSeconds(5)).peer()).as("the only connection served").startsWith("127.0.0.2:");
            assertThat(events.warnings).first().asString()
                    .startsWith("refused 1 connection(s) from addresses the access list does not allow, the last from 127.0.0.1");
        }
    }

    /** On a dual-stack listener an IPv4 client arrives as ::ffff:127.0.0.1, and an IPv4 block still covers it. */
    @Test
    void anIpv4BlockCoversIpv4ClientsOfADualStackListener() throws Exception {
        AccessList list = new AccessList(List.of(), List.of(AddressBlock.parse("127.0.0.1")));
        try (Server server = Loopback.serve("::", "daytime", Settings.defaults(), events, b -> b.access(list))) {
            int port = Loopback.address(server).getPort();
            try (Socket v4 = new Socket()) {
                v4.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                v4.setSoTimeout(10_000);
                assertThat(v4.getInputStream().read()).as("127.0.0.1 is denied").isEqualTo(-1);
            }
            try (Socket v6 = new Socket()) {
                v6.connect(new InetSocketAddress("::1", port), 5000);
                v6.setSoTimeout(10_000);
                assertThat(Loopback.readAll(v6)).as("::1 is not").isNotEmpty();
            }
        }
    }

    @Test
    void maxConnectionsHoldsTheRestInTheBacklog() throws Exception {
        try (Server server = Loopback.serve("127.0.0.1", "echo", Settings.defaults(), events, b -> b.maxConnections(1));
             Socket first = Loopback.connect(server); Socket second = Loopback.connect(server)) {
            first.getOutputStream().write('a');
            assertThat(first.getInputStream().read()).isEqualTo('a');
            second.getOutputStream().write('b');
            second.setSoTimeout(500);
            assertThatThrownBy(() -> second.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            // a full server is not silent while its clients wait
            assertThat(events.awaitWarning("all 1 connections", Duration.ofSeconds(10))).isEqualTo("all 1 connections the limit allows"
                    + " are open: new clients wait in the listen backlog until one closes (raise --max-connections, or set --idle-timeout"
                    + " to close silent ones)");
            first.close();
            second.setSoTimeout(10_000);
            assertThat(second.getInputStream().read()).isEqualTo('b');
        }
    }

    /** 0.0.0.0 is IPv4's every address, over TCP as over UDP: not IPv6 as well, as the JDK's default socket would make it. */
    @Test
    void zeroZeroZeroZeroIsIpv4Only() throws Exception {
        try (Server server = Loopback.builder().events(events)
                .serve(Service.named("daytime").orElseThrow(), Transport.TCP, Endpoint.parse("0.0.0.0:0")).start()) {
            Endpoint.Inet bound = (Endpoint.Inet) server.listeners().getFirst().bound();
            assertThat(bound.host()).isEqualTo("0.0.0.0");
            try (Socket v4 = new Socket("127.0.0.1", bound.port())) {
                v4.setSoTimeout(20_000);
                assertThat(v4.getInputStream().readAllBytes()).isNotEmpty();
            }
            assertThatThrownBy(() -> new Socket("::1", bound.port()).close()).isInstanceOf(ConnectException.class);
        }
    }

    /** A listener waiting for its next client holds no connection of the limit: every listener is served. */
    @Test
    void underALimitBelowTheListenersEachIsStillServed() throws Exception {
        Settings fixed = Settings.defaults().withClock(java.time.Clock.fixed(java.time.Instant.parse("2030-01-02T03:04:05Z"), java.time.ZoneOffset.UTC));
        try (Server server = Loopback.builder().events(events).settings(fixed).maxConnections(1)
                .serve(Service.named("daytime").orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0"))
                .serve(Service.named("time").orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0"))
                .serve(Service.named("qotd").orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0")).start()) {
            List<Listener> there = server.listeners();
            // forth and back: whichever listener a held token would favour, some client asks another
            for (Listener l : List.of(there.get(0), there.get(1), there.get(2), there.get(2), there.get(1), there.get(0))) {
                try (Socket s = new Socket()) {
                    s.connect(((Endpoint.Inet) l.bound()).toSocketAddress(), 5000);
                    s.setSoTimeout(20_000); // a listener starved of the one token fails here instead of hanging
                    assertThat(s.getInputStream().readAllBytes()).as(l.toString()).isNotEmpty();
                }
            }
        }
    }

    @Test
    void aPortInUseSaysSoAndLeavesNothingOpen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Endpoint busy = new Endpoint.Inet("127.0.0.1", taken.getLocalPort());
            Endpoint free = new Endpoint.Inet("127.0.0.1", 0);
            Server.Builder b = Loopback.builder().events(events)
                    .serve(Service.named("daytime").orElseThrow(), Transport.TCP, free)
                    .serve(Service.named("echo").orElseThrow(), Transport.TCP, busy);
            assertThatThrownBy(b::start).isInstanceOfSatisfying(ListenException.class, e -> {
                assertThat(e.getMessage()).isEqualTo("cannot listen on tcp 127.0.0.1:" + taken.getLocalPort()
                        + " — address already in use (another program serves it; stop that one or choose another port)");
                assertThat(e.reason()).isEqualTo(ListenException.Reason.IN_USE);
            });
            assertThat(events.listening).as("nothing announced when a bind fails").isEmpty();
        }
    }

    @Test
    void anAddressNotOnThisMachineSaysSo() {
        // Binding sends no packet; 192.0.2.1 (TEST-NET-1) is on no machine.
        Server.Builder b = Loopback.builder().events(events)
                .serve(Service.named("echo").orElseThrow(), Transport.TCP, Endpoint.parse("192.0.2.1:0"));
        assertThatThrownBy(b::start).isInstanceOfSatisfying(ListenException.class,
                e -> assertThat(e.reason()).isEqualTo(ListenException.Reason.NO_SUCH_ADDRESS))
                .hasMessage("cannot listen on tcp 192.0.2.1:0 — that address is not on this machine (use one of its addresses, or :PORT for all)");
    }

    @Test
    void permissionDeniedBelow1024NamesTheWayOut() {
        ListenException e = ListenException.of(Transport.TCP, Endpoint.parse(":7"), new BindException("Permission denied"));
        assertThat(e.getMessage()).isEqualTo("cannot listen on tcp :7 — permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)");
        assertThat(e.reason()).isEqualTo(ListenException.Reason.PERMISSION);
    }

    @Test
    void specsTakeStandardPortsOffsetsAndBindAddresses() {
        List<Transport> tcp = List.of(Transport.TCP);
        assertThat(Spec.parse("echo", 10000, "", tcp).endpoint()).isEqualTo(new Endpoint.Inet("", 10007));
        assertThat(Spec.parse("time", 0, "::1", tcp).endpoint()).isEqualTo(new Endpoint.Inet("::1", 37));
        assertThat(Spec.parse("echo@:7007", 10000, "127.0.0.1", tcp).endpoint()).isEqualTo(new Endpoint.Inet("127.0.0.1", 7007));
        assertThat(Spec.parse("daytime/tcp@[::1]:1313", 0, "", List.of()).transports()).containsExactly(Transport.TCP);
        assertThat(Spec.parse("Sink@unix:/tmp/s", 0, "", tcp).endpoint()).isEqualTo(new Endpoint.Unix("/tmp/s", false));
        assertThatThrownBy(() -> Spec.parse("finger", 0, "", tcp)).hasMessageStartingWith("unknown service 'finger' in 'finger'; services: echo, discard");
        assertThatThrownBy(() -> Spec.parse("sink", 0, "", tcp)).hasMessageContaining("sink has no standard port; give one, e.g. sink@:15000");
        assertThatThrownBy(() -> Spec.parse("echo/sctp", 0, "", tcp)).hasMessageContaining("unknown transport 'sctp'");
        assertThatThrownBy(() -> Spec.parse("time", 65500, "", tcp)).hasMessageContaining("past 65535");
        assertThatThrownBy(() -> Spec.parse("echo@:99999", 0, "", tcp)).hasMessageContaining("out of range");
    }

    @Test
    void aHostWithoutAPortGetsTheStandardPort() {
        List<Transport> tcp = List.of(Transport.TCP);
        assertThat(Spec.parse("echo@127.0.0.1", 20000, "", tcp).endpoint()).isEqualTo(new Endpoint.Inet("127.0.0.1", 20007));
        assertThat(Spec.parse("daytime@[::1]", 0, "", tcp).endpoint()).isEqualTo(new Endpoint.Inet("::1", 13));
        assertThat(Spec.parse("qotd/udp@localhost", 1, "::1", tcp).endpoint()).isEqualTo(new Endpoint.Inet("localhost", 18));
        assertThat(Spec.parse("echo@:7007", 65000, "", tcp).endpoint()).isEqualTo(new Endpoint.Inet("", 7007));
        assertThatThrownBy(() -> Spec.parse("sink@127.0.0.1", 0, "", tcp)).hasMessage("sink has no standard port; give one, e.g. sink@127.0.0.1:15000");
        assertThatThrownBy(() -> Spec.parse("time@127.0.0.1", 65500, "", tcp)).hasMessage("port offset 65500 puts time on port 65537, past 65535");
        assertThatThrownBy(() -> Spec.parse("echo@7007", 0, "", tcp)).hasMessage("bad endpoint '7007': no port; expected HOST:PORT or :PORT (to listen on port 7007 on every address: :7007)");
        assertThatThrownBy(() -> Spec.parse("echo@::1:7007", 0, "", tcp)).hasMessageContaining("write IPv6 addresses in brackets, e.g. [::1]:7007");
    }
}
