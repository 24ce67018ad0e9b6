package dev.sockit.server;

import dev.sockit.engine.ReplyLimits;
import dev.sockit.net.AccessList;
import dev.sockit.net.AddressBlock;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;
import dev.sockit.testing.Loopback;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UDP safety rules, over real sockets: no answer to privileged source ports (loops), rate
 * limits per source and in all (amplification), drops counted and logged once per interval.
 *
 * <p>Where a test must show that no reply came, it sends a sentinel datagram from another address
 * to the same socket after the one under test and waits for the sentinel's reply: one loop serves a
 * socket in arrival order, and loopback delivers synchronously, so once the sentinel is answered
 * every reply to the earlier datagrams is already queued at its receiver, or was never sent.
 */
class UdpGuardTest {
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private final DatagramTestEvents events = new DatagramTestEvents();

    private Server serve(String service, ReplyLimits limits, Duration reportEvery) throws java.io.IOException {
        return Loopback.builder().events(events).replyLimits(limits).reportEvery(reportEvery)
                .serve(Service.named(service).orElseThrow(), Transport.UDP, Endpoint.parse("127.0.0.1:0")).start();
    }

    private static InetSocketAddress address(Server s) {
        return ((Endpoint.Inet) s.endpoint()).toSocketAddress();
    }

    /** A client on another loopback address, so the per-source limit treats it as another host. */
    private static UdpPeer sentinel() throws IOException {
        return UdpPeer.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 0));
    }

    private static UdpPeer onSourcePort19() {
        try {
            return UdpPeer.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 19));
        } catch (IOException e) {
            Assumptions.abort("cannot bind 127.0.0.1:19 as a source (needs root or CAP_NET_BIND_SERVICE, and a free port 19): " + e);
            return null;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"echo", "chargen", "daytime"})
    void aDatagramFromSourcePort19GetsNoReply(String service) throws Exception {
        try (Server server = serve(service, ReplyLimits.defaults(), Duration.ofHours(1));
             UdpPeer chargenPort = onSourcePort19(); UdpPeer sentinel = sentinel()) {
            chargenPort.send(PING, address(server));
            sentinel.exchange(PING, address(server));
            assertThat(chargenPort.pending()).as("a reply to source port 19").isNull();
        }
        assertThat(events.totals()).singleElement().satisfies(t -> {
            assertThat(t.dropped(DropReason.SOURCE_PORT)).isEqualTo(1);
            assertThat(t.answered()).isEqualTo(1);
        });
    }

    /**
     * At a port offset (--port-offset): a datagram from the port chargen has at the same offset gets
     * no reply from echo, so two servers set up alike cannot loop.
     */
    @Test
    void atAPortOffsetADatagramFromChargensPortAtThatOffsetGetsNoReply() throws Exception {
        try (UdpPeer chargenPort = UdpPeer.on("127.0.0.1"); UdpPeer sentinel = sentinel()) {
            int offset = chargenPort.local().getPort() - 19; // the offset that puts chargen on this client's port
            int echoPort = 7 + offset;
            Server server;
            try {
                server = Loopback.builder().events(events).reportEvery(Duration.ofHours(1)).portOffset(offset)
                        .serve(Service.named("echo").orElseThrow(), Transport.UDP, new Endpoint.Inet("127.0.0.1", echoPort)).start();
            } catch (ListenException e) {
                Assumptions.abort("port " + echoPort + " is taken: " + e.getMessage());
                return;
            }
            try (server) {
                chargenPort.send(PING, address(server));
                sentinel.exchange(PING, address(server));
                assertThat(chargenPort.pending()).as("a reply to chargen's port at echo's offset").isNull();
            }
        }
        assertThat(events.totals()).singleElement().satisfies(t -> {
            assertThat(t.dropped(DropReason.SOURCE_PORT)).isEqualTo(1);
            assertThat(t.answered()).isEqualTo(1);
        });
    }

    /** A datagram from an address the access list does not allow is dropped before the service sees it, and counted as such. */
    @Test
    void aDatagramFromAnAddressTheAccessListDoesNotAllowGetsNoReply() throws Exception {
        AccessList list = new AccessList(List.of(AddressBlock.parse("127.0.0.2")), List.of());
        try (Server server = Loopback.builder().events(events).reportEvery(Duration.ofHours(1)).access(list)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, Endpoint.parse("127.0.0.1:0")).start();
             UdpPeer denied = UdpPeer.on("127.0.0.1"); UdpPeer allowed = sentinel()) {
            denied.send(PING, address(server));
            assertThat(allowed.exchange(PING, address(server))).isEqualTo(PING);
            assertThat(denied.pending()).as("a reply to 127.0.0.1").isNull();
        }
        assertThat(events.totals()).singleElement().satisfies(t -> {
            assertThat(t.dropped(DropReason.NOT_ALLOWED)).isEqualTo(1);
            assertThat(t.answered()).isEqualTo(1);
        });
    }

    @Test
    void withSourceChecksOffTheSameDatagramIsAnswered() throws Exception {
        try (Server server = serve("echo", ReplyLimits.defaults().withCheckSources(false), Duration.ofHours(1));
             UdpPeer chargenPort = onSourcePort19()) {
            assertThat(chargenPort.exchange(PING, address(server))).isEqualTo(PING);
        }
    }

    @Test
    void aFloodFromOneSourceIsAnsweredAtTheConfiguredRateAndNoMore() throws Exception {
        double rate = 5;
        int burst = 5;
        long answered;
        double seconds;
        try (Server server = serve("echo", ReplyLimits.defaults().withPerSource(rate, burst), Duration.ofHours(1));
             UdpPeer flooder = UdpPeer.on("127.0.0.1"); UdpPeer sentinel = sentinel()) {
            long start = System.nanoTime();
            long until = start + Duration.ofSeconds(1).toNanos();
            int sent = 0;
            int sentinels = 0;
            while (sent < 2_000 && System.nanoTime() < until) {
                flooder.send(PING, address(server));
                sent++;
                if (sent % 100 == 0) {
                    // Keeps the server's queue short, so the flood lasts long enough for the bucket to refill. Each
                    // pause comes from an address of its own, which its own bucket answers.
                    try (UdpPeer pause = UdpPeer.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.1." + ++sentinels), 0))) {
                        pause.exchange(PING, address(server));
                    }
                }
            }
            sentinel.exchange(PING, address(server));
            seconds = (System.nanoTime() - start) / 1e9;
            answered = flooder.drain();
            assertThat(sent).isGreaterThan(burst);
        }
        // Every reply the bucket allowed: the burst, plus what refilled while the flood lasted (measured generously).
        assertThat(answered).isBetween((long) burst, (long) Math.floor(burst + rate * seconds));
        DatagramRecord totals = events.totals().getFirst();
        assertThat(totals.dropped(DropReason.SOURCE_RATE)).isEqualTo(totals.received() - totals.answered());
        assertThat(totals.dropped(DropReason.SOURCE_RATE)).isPositive();
    }

    @Test
    void theGlobalCapHoldsOverManySources() throws Exception {
        int cap = 3;
        long start = System.nanoTime();
        int answered = 0;
        try (Server server = serve("echo", ReplyLimits.defaults().withPerSource(0, 1).withGlobal(cap, cap), Duration.ofMillis(20))) {
            UdpPeer[] sources = new UdpPeer[4];
            try {
                for (int i = 0; i < sources.length; i++) {
                    sources[i] = UdpPeer.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0." + (i + 2)), 0));
                    for (int j = 0; j < 10; j++) {
                        sources[i].send(PING, address(server));
                    }
                }
                events.awaitReceived(l -> true, 40);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (UdpPeer s : sources) {
                    answered += s.drain();
                }
                assertThat(answered).isBetween(cap, (int) Math.floor(cap + cap * seconds));
            } finally {
                for (UdpPeer s : sources) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
        }
        assertThat(events.totals().getFirst().dropped(DropReason.GLOBAL_RATE)).isEqualTo(40 - answered);
    }

    @Test
    void dropsAreCountedAndWarnedAboutOncePerIntervalNotOncePerDatagram() throws Exception {
        try (Server server = serve("chargen", ReplyLimits.defaults().withPerSource(1, 1), Duration.ofHours(1));
             UdpPeer flooder = UdpPeer.on("127.0.0.1"); UdpPeer sentinel = sentinel()) {
            for (int i = 0; i < 200; i++) {
                flooder.send(PING, address(server));
            }
            sentinel.exchange(PING, address(server));
            assertThat(events.warnings()).as("warnings before the first report is due").isEmpty();
        }
        assertThat(events.warnings()).singleElement().asString()
                .startsWith("chargen udp 127.0.0.1:")
                .contains("did not answer 199 of 201 datagrams", "199 over the per-source reply rate", "latest from 127.0.0.1:");
    }
}
