package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Chargen;
import dev.sockit.service.Qotd;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.testing.Loopback;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Every service over UDP, on IPv4 and IPv6 loopback, byte-exact against its RFC. */
class UdpServicesTest {
    /** 2026-11-25T03:07:10Z: a Wednesday; 0xEEB0CF5E seconds since 1900. */
    private static final Instant NOW = Instant.parse("2026-11-25T03:07:10Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** RFC 864's first line: the 72 characters from space, then CR LF. */
    private static final String CHARGEN_LINE = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n";

    private final DatagramTestEvents events = new DatagramTestEvents();
    private final List<String> printed = new ArrayList<>();
    private final Settings settings = Settings.defaults().withClock(CLOCK)
            .withQuotes(Qotd.of(List.of("To be, or not to be.")))
            .withPrinter((peer, bytes, length) -> {
                synchronized (printed) {
                    printed.add(peer + ": " + new String(bytes, 0, length, StandardCharsets.UTF_8));
                }
            });

    private Server serve(String service, String host) throws java.io.IOException {
        return Loopback.builder().settings(settings).events(events).reportEvery(Duration.ofMillis(20))
                .serve(Service.named(service).orElseThrow(), Transport.UDP, Endpoint.parse(host.contains(":") ? "[" + host + "]:0" : host + ":0"))
                .start();
    }

    private static InetSocketAddress address(Server s) {
        return ((Endpoint.Inet) s.endpoint()).toSocketAddress();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void echoSendsBackEveryDatagramUnchangedWhateverItsSize(String host) throws Exception {
        try (Server server = serve("echo", host); UdpPeer client = UdpPeer.on(host)) {
            Random random = new Random(862);
            for (int size : new int[] {0, 1, 512, 1472, 8192, 65_507}) {
                byte[] request = new byte[size];
                random.nextBytes(request);
                client.send(request, address(server));
                UdpPeer.Datagram reply = client.receive();
                assertThat(reply.data()).as("echo of %d bytes", size).isEqualTo(request);
                assertThat(reply.from()).as("the reply's source").isEqualTo(address(server));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void chargenAnswersEachDatagramWithAtMost512CharactersOfThePattern(String host) throws Exception {
        try (Server server = serve("chargen", host); UdpPeer client = UdpPeer.on(host)) {
            int line = 0;
            for (byte[] request : new byte[][] {new byte[0], "any request at all".getBytes(StandardCharsets.US_ASCII), new byte[1]}) {
                byte[] reply = client.exchange(request, address(server));
                assertThat(reply.length).isBetween(0, 512);
                // Each the next line of the pattern, as BSD inetd answers (the first is CHARGEN_LINE)
                assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo(line == 0 ? CHARGEN_LINE : Chargen.line(line));
                line++;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void daytimeAnswersAnyDatagramWithTheDateAndTime(String host) throws Exception {
        try (Server server = serve("daytime", host); UdpPeer client = UdpPeer.on(host)) {
            for (byte[] request : new byte[][] {new byte[0], "what time is it?".getBytes(StandardCharsets.US_ASCII)}) {
                assertThat(new String(client.exchange(request, address(server)), StandardCharsets.US_ASCII))
                        .isEqualTo("Wed Nov 25 03:07:10 2026\r\n");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void timeAnswersWithFourBytesOfSecondsSince1900(String host) throws Exception {
        try (Server server = serve("time", host); UdpPeer client = UdpPeer.on(host)) {
            assertThat(client.exchange(new byte[0], address(server))).containsExactly(0xee, 0xb0, 0xcf, 0x5e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void qotdAnswersAnyDatagramWithOneQuotation(String host) throws Exception {
        try (Server server = serve("qotd", host); UdpPeer client = UdpPeer.on(host)) {
            assertThat(new String(client.exchange("x".getBytes(StandardCharsets.US_ASCII), address(server)), StandardCharsets.UTF_8))
                    .isEqualTo("To be, or not to be.\r\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void discardAnswersNothing(String host) throws Exception {
        try (Server server = serve("discard", host); UdpPeer client = UdpPeer.on(host)) {
            client.send("drop me".getBytes(StandardCharsets.US_ASCII), address(server));
            client.send(new byte[0], address(server));
            events.awaitReceived(l -> true, 2);
            assertThat(client.pending()).as("a reply from discard").isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void sinkPrintsEachDatagramWithItsSendersAddressAndAnswersNothing(String host) throws Exception {
        String sender;
        try (Server server = serve("sink", host); UdpPeer client = UdpPeer.on(host)) {
            client.send("hello, sink\n".getBytes(StandardCharsets.UTF_8), address(server));
            events.awaitReceived(l -> true, 1);
            sender = host.contains(":") ? "[" + host + "]:" + client.local().getPort() : host + ":" + client.local().getPort();
            assertThat(client.pending()).as("a reply from sink").isNull();
        }
        synchronized (printed) { // printed from a thread of its own; the stop lets it finish
            assertThat(printed).containsExactly(sender + ": hello, sink");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void countsAreReportedAndTotalledOnStop(String host) throws Exception {
        Server server = serve("echo", host);
        try (UdpPeer client = UdpPeer.on(host)) {
            client.exchange("one".getBytes(StandardCharsets.US_ASCII), address(server));
            client.exchange("three".getBytes(StandardCharsets.US_ASCII), address(server));
        } finally {
            server.close();
        }
        assertThat(events.totals()).singleElement().satisfies(t -> {
            assertThat(t.listener().service().name()).isEqualTo("echo");
            assertThat(t.received()).isEqualTo(2);
            assertThat(t.answered()).isEqualTo(2);
            assertThat(t.bytesIn()).isEqualTo(8);
            assertThat(t.bytesOut()).isEqualTo(8);
            assertThat(t.droppedTotal()).isZero();
        });
    }

    @org.junit.jupiter.api.Test
    void stopReleasesThePort() throws IOException {
        Server server = serve("echo", "127.0.0.1");
        InetSocketAddress at = address(server);
        server.close();
        try (UdpPeer rebound = UdpPeer.bind(at)) {
            assertThat(rebound.local()).isEqualTo(at);
        }
    }
}
