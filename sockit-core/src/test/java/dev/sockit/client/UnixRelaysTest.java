package dev.sockit.client;

import dev.sockit.client.Peers.UnixKind;
import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.server.Server;
import dev.sockit.service.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** connect and listen over Unix sockets: stream and datagram, on a path and on a Linux abstract name. */
@Timeout(60)
class UnixRelaysTest {
    private static final String AUTOBOUND = "unix:@[0-9a-f]{5}";

    @TempDir
    Path dir;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- connect

    @ParameterizedTest
    @EnumSource(UnixKind.class)
    void connectRelaysMegabytesBothWaysThroughAUnixStream(UnixKind kind) throws Exception {
        byte[] big = new byte[4 * 1024 * 1024 + 7];
        new Random(2).nextBytes(big);
        Endpoint.Unix at = Peers.unix(kind, dir, "echo.sock");
        try (Server s = Peers.sockit("echo", Transport.TCP, at, Settings.defaults())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Relay.Result r = new Relay(true, false).run(Peers.dialer().connect(at), new ByteArrayInputStream(big), out);
            assertThat(r).isEqualTo(new Relay.Result(big.length, big.length));
            assertThat(out.toByteArray()).isEqualTo(big);
        }
    }

    @ParameterizedTest
    @EnumSource(UnixKind.class)
    void connectOverUnixDatagramsSendsOneDatagramPerLineAndPrintsTheReplies(UnixKind kind) throws Exception {
        Endpoint.Unix at = Peers.unix(kind, dir, "echo.dgram");
        try (Server s = Peers.sockit("echo", Transport.UDP, at, Settings.defaults());
             DatagramLink link = Peers.dialer().datagram(at)) {
            assertThat(link.label()).isEqualTo("unixgram " + at);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DatagramRelay.Result r = new DatagramRelay(true, Duration.ofMillis(300))
                    .run(link, new ByteArrayInputStream(ascii("one\ntwo\nthree")), out);

            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("one\ntwo\nthree");
            assertThat(r).isEqualTo(new DatagramRelay.Result(3, 13, 3, 13));
        }
    }

    @Test
    void aDatagramRelayToAPeerThatStopsReadingEndsSayingSo() throws Exception {
        // Unix datagrams have flow control: the sender waits for room, up to the timeout, then gives up.
        UnixSocketAddress deafAddress = UnixSocketAddress.path(dir.resolve("deaf.dgram"));
        try (UnixDatagramSocket deaf = UnixDatagramSocket.bind(deafAddress)) {
            Dialer d = new Dialer(ClientOptions.defaults().withIdleTimeout(Duration.ofMillis(200)));
            DatagramLink link = d.datagram(deafAddress.toEndpoint());
            // No linger: only the failure can end this relay.
            assertThatThrownBy(() -> new DatagramRelay(false, null).run(link, new ByteArrayInputStream(new byte[50 * 1024 * 1024]),
                    new ByteArrayOutputStream()))
                    .hasMessage("sending to unixgram " + deafAddress + " failed: " + deafAddress
                            + " took no datagram for the send timeout (its queue stayed full: is it reading?)");
            link.close();
            assertThat(deaf.isOpen()).isTrue();
        }
    }

    // ---- listen, stream

    @Test
    void listenOnAnAbstractNameAcceptsOneClientAndRelaysBothWays() throws Exception {
        Endpoint.Unix at = Peers.unix(UnixKind.ABSTRACT, dir, "listen");
        try (Acceptor a = Acceptor.bind(at, 1)) {
            assertThat(a.endpoint()).isEqualTo(at);
            CompletableFuture<String> clientGot = CompletableFuture.supplyAsync(() -> {
                try (Connection c = Peers.dialer().connect(at)) {
                    c.write(ByteBuffer.wrap(ascii("ping\n")));
                    c.shutdownOutput();
                    return new String(OneShotClient.readToEnd(c, 100, "test"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Connection c = a.accept(Duration.ZERO);
            assertThat(c.peer()).isEqualTo("unix:(pid " + ProcessHandle.current().pid() + " uid " + uid() + ")");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new Relay(true, false).run(c, new ByteArrayInputStream(ascii("pong\n")), out);

            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("ping\n");
            assertThat(clientGot.get(10, TimeUnit.SECONDS)).isEqualTo("pong\n");
        }
    }

    @Test
    void keepOpenOnAnAbstractNameServesAHundredClientsAtOnce() throws Exception {
        // Each connection blocks in native reads: were they on virtual threads, a handful would hold every
        // carrier thread and the rest would never be served. Every client holds its connection open until
        // all hundred first lines are printed, so only a server serving all at once gets there.
        int clients = 100;
        Endpoint.Unix at = Peers.unix(UnixKind.ABSTRACT, dir, "keep-open");
        List<String> printed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstLines = new CountDownLatch(clients);
        CountDownLatch allLines = new CountDownLatch(2 * clients);
        PrefixedLines handler = new PrefixedLines((peer, bytes, length) -> {
            String line = new String(bytes, 0, length, StandardCharsets.US_ASCII);
            printed.add(line);
            if (line.endsWith(" first")) {
                firstLines.countDown();
            }
            allLines.countDown();
        });
        try (Acceptor a = Acceptor.bind(at, 200)) {
            Thread server = Thread.ofPlatform().start(() -> {
                try {
                    a.serve(handler, 1000, Duration.ZERO, problem -> printed.add("PROBLEM " + problem));
                } catch (IOException e) {
                    printed.add("PROBLEM " + e);
                }
            });
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                threads.add(Thread.ofPlatform().daemon().start(() -> {
                    try (Connection c = Peers.dialer().connect(at)) {
                        c.write(ByteBuffer.wrap(ascii("client " + n + " first\n")));
                        firstLines.await();
                        c.write(ByteBuffer.wrap(ascii("client " + n + " second\n")));
                    } catch (IOException | InterruptedException e) {
                        printed.add("CLIENT FAILED " + e);
                    }
                }));
            }
            assertThat(allLines.await(30, TimeUnit.SECONDS)).as("all lines printed; got %s", printed.size()).isTrue();
            for (Thread t : threads) {
                t.join();
            }
            a.close();
            server.join();
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            expected.add("client " + i + " first");
            expected.add("client " + i + " second");
        }
        assertThat(printed).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void execOnAnAbstractNameRunsAProgramPerConnection() throws Exception {
        Endpoint.Unix at = Peers.unix(UnixKind.ABSTRACT, dir, "exec");
        try (Acceptor a = Acceptor.bind(at, 50)) {
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            Thread server = Thread.ofPlatform().start(() -> {
                try {
                    a.serve(ExecHandler.shell("tr a-z A-Z"), 10, Duration.ZERO, problems::add);
                } catch (IOException e) {
                    problems.add(e.toString());
                }
            });
            for (String word : List.of("hello", "world")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                new Relay(true, false).run(Peers.dialer().connect(at), new ByteArrayInputStream(ascii(word + "\n")), out);
                assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(word.toUpperCase() + "\n");
            }
            a.close();
            server.join();
            assertThat(problems).isEmpty();
        }
    }

    // ---- listen, datagram

    @ParameterizedTest
    @EnumSource(UnixKind.class)
    void listenForUnixDatagramsTakesTheFirstSenderAsItsPeer(UnixKind kind) throws Exception {
        Endpoint.Unix at = Peers.unix(kind, dir, "listen.dgram");
        try (DatagramListener l = DatagramListener.bind(at)) {
            assertThat(l.endpoint()).isEqualTo(at);
            CompletableFuture<String> listenerGot = CompletableFuture.supplyAsync(() -> {
                try {
                    DatagramListener.First first = l.awaitFirst(Duration.ofSeconds(5));
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    out.write(first.payload());
                    new DatagramRelay(false, Duration.ofMillis(300)).run(first.link().orElseThrow(), new ByteArrayInputStream(ascii("pong\n")), out);
                    return first.sender() + " " + out.toString(StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (DatagramLink client = Peers.dialer().datagram(at)) {
                assertThat(client.ask(ascii("ping\n"))).isEqualTo(ascii("pong\n"));
            }
            assertThat(listenerGot.get(10, TimeUnit.SECONDS)).matches(AUTOBOUND + " ping\n");
        }
    }

    @Test
    void afterTheFirstSenderTheKernelRefusesOthers() throws Exception {
        Endpoint.Unix at = Peers.unix(UnixKind.ABSTRACT, dir, "one-peer");
        try (DatagramListener l = DatagramListener.bind(at);
             DatagramLink first = Peers.dialer().datagram(at);
             DatagramLink other = Peers.dialer().datagram(at)) {
            first.send(ByteBuffer.wrap(ascii("me first")));
            assertThat(l.awaitFirst(Duration.ofSeconds(5)).payload()).isEqualTo(ascii("me first"));
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> other.send(ByteBuffer.wrap(ascii("me too")))))
                    .hasMessage("sendto " + at + ": Operation not permitted");
        }
    }

    @Test
    void keepOpenPrintsEachDatagramPrefixedByItsSenderNamedOrNot() throws Exception {
        Endpoint.Unix at = Peers.unix(UnixKind.PATH, dir, "sink.dgram");
        List<String> printed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch two = new CountDownLatch(2);
        try (DatagramListener l = DatagramListener.bind(at)) {
            Thread listener = Thread.ofPlatform().start(() -> {
                try {
                    l.printEach((peer, bytes, length) -> {
                        printed.add(peer + ": " + new String(bytes, 0, length, StandardCharsets.US_ASCII));
                        two.countDown();
                    });
                } catch (IOException e) {
                    printed.add("FAILED " + e);
                }
            });
            String named;
            try (DatagramLink client = Peers.dialer().datagram(at);
                 UnixDatagramSocket unnamed = UnixDatagramSocket.open()) {
                client.send(ByteBuffer.wrap(ascii("from sockit\n")));
                unnamed.send(ByteBuffer.wrap(ascii("from nobody\n")), UnixSocketAddress.of(at));
                assertThat(two.await(10, TimeUnit.SECONDS)).isTrue();
                named = printed.getFirst().substring(0, printed.getFirst().indexOf(':', 5));
            }
            l.close();
            listener.join();
            assertThat(named).matches(AUTOBOUND);
            assertThat(printed).containsExactly(named + ": from sockit", "unix:(unnamed): from nobody");
        }
        assertThat(Files.exists(Path.of(at.path()))).as("the socket file is removed on close").isFalse();
    }

    @Test
    void aFirstSenderWithNoAddressCannotBeAnsweredButWhatItSendsIsCopied() throws Exception {
        Endpoint.Unix at = Peers.unix(UnixKind.PATH, dir, "unnamed.dgram");
        try (DatagramListener l = DatagramListener.bind(at);
             UnixDatagramSocket unnamed = UnixDatagramSocket.open()) {
            unnamed.send(ByteBuffer.wrap(ascii("one\n")), UnixSocketAddress.of(at));
            DatagramListener.First first = l.awaitFirst(Duration.ofSeconds(5));
            assertThat(first.link()).isEmpty();
            assertThat(first.sender()).isEqualTo("unix:(unnamed)");
            assertThat(first.payload()).isEqualTo(ascii("one\n"));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CountDownLatch copied = new CountDownLatch(1);
            Thread copier = Thread.ofPlatform().start(() -> {
                try {
                    l.copyEach(new java.io.FilterOutputStream(out) {
                        @Override
                        public void flush() throws IOException {
                            super.flush();
                            copied.countDown();
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            unnamed.send(ByteBuffer.wrap(ascii("two\n")), UnixSocketAddress.of(at));
            assertThat(copied.await(10, TimeUnit.SECONDS)).isTrue();
            l.close();
            copier.join();
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("two\n");
        }
    }

    private static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
