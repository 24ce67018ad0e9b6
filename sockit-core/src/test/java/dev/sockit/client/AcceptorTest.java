package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.server.ListenException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listening side: one client relayed, many clients at once, a program per connection. */
@Timeout(60)
class AcceptorTest {

    private static Socket connect(Endpoint e) throws IOException {
        Socket s = new Socket();
        s.connect(((Endpoint.Inet) e).toSocketAddress(), 5000);
        return s;
    }

    @Test
    void acceptsOneClientAndRelaysBothWays() throws Exception {
        try (Acceptor a = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 1)) {
            CompletableFuture<String> clientGot = CompletableFuture.supplyAsync(() -> {
                try (Socket s = connect(a.endpoint())) {
                    s.getOutputStream().write("ping\n".getBytes());
                    s.shutdownOutput();
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Connection c = a.accept(Duration.ZERO);
            new Relay(true, false).run(c, new ByteArrayInputStream("pong\n".getBytes()), out);

            assertThat(out.toString()).isEqualTo("ping\n");
            assertThat(clientGot.get(10, TimeUnit.SECONDS)).isEqualTo("pong\n");
        }
    }

    @Test
    void keepOpenServesAHundredClientsAtOnceEachLinePrefixedByItsClient() throws Exception {
        int clients = 100;
        List<String> printed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch firstLines = new CountDownLatch(clients);
        CountDownLatch allLines = new CountDownLatch(2 * clients);
        PrefixedLines handler = new PrefixedLines((peer, bytes, length) -> {
            String line = peer + ": " + new String(bytes, 0, length, StandardCharsets.US_ASCII);
            printed.add(line);
            if (line.endsWith(" first")) {
                firstLines.countDown();
            }
            allLines.countDown();
        });
        try (Acceptor a = Acceptor.bind(Endpoint.parse("[::1]:0"), 200)) {
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    a.serve(handler, 1000, Duration.ZERO, problem -> printed.add("PROBLEM " + problem));
                } catch (IOException e) {
                    printed.add("PROBLEM " + e);
                }
            });
            List<Thread> threads = new ArrayList<>();
            List<String> expected = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < clients; i++) {
                int n = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try (Socket s = connect(a.endpoint())) {
                        String me = "[::1]:" + s.getLocalPort();
                        expected.add(me + ": client " + n + " first");
                        expected.add(me + ": client " + n + " second");
                        s.getOutputStream().write(("client " + n + " first\n").getBytes());
                        // Every client holds its connection open until all hundred first lines are printed:
                        // a server taking one client at a time could never get there.
                        firstLines.await();
                        s.getOutputStream().write(("client " + n + " second\n").getBytes());
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
            assertThat(printed).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void execRunsAProgramPerConnectionWithTheSocketAsItsInputAndOutput() throws Exception {
        try (Acceptor a = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 50)) {
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    a.serve(ExecHandler.shell("tr a-z A-Z"), 10, Duration.ZERO, problems::add);
                } catch (IOException e) {
                    problems.add(e.toString());
                }
            });
            for (int i = 0; i < 3; i++) {
                try (Socket s = connect(a.endpoint())) {
                    s.getOutputStream().write(("hello " + i + "\n").getBytes());
                    s.shutdownOutput(); // tr sees its end of input, finishes, and the connection closes
                    assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("HELLO " + i + "\n");
                }
            }
            a.close();
            server.join();
            assertThat(problems).isEmpty();
        }
    }

    @Test
    void execTellsTheProgramWhoItsPeerIs() throws Exception {
        try (Acceptor a = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 50)) {
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    a.serve(new ExecHandler(List.of("/bin/sh", "-c", "printf '%s\\n' \"$SOCKIT_PEER\"")), 10, Duration.ZERO, p -> { });
                } catch (IOException ignored) {
                    // ends when closed
                }
            });
            try (Socket s = connect(a.endpoint())) {
                InputStream in = s.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("127.0.0.1:" + s.getLocalPort() + "\n");
            }
            a.close();
            server.join();
        }
    }

    @Test
    void execWithCatEchoesAndAMissingProgramIsReported() throws Exception {
        try (Acceptor a = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 50)) {
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch reported = new CountDownLatch(1);
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    a.serve(new ExecHandler(List.of("/nonexistent/program")), 10, Duration.ZERO, p -> {
                        problems.add(p);
                        reported.countDown();
                    });
                } catch (IOException ignored) {
                    // ends when closed
                }
            });
            try (Socket s = connect(a.endpoint())) {
                assertThat(s.getInputStream().readAllBytes()).isEmpty();
            }
            assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(problems.getFirst()).startsWith("127.0.0.1:").contains("cannot run /nonexistent/program");
            a.close();
            server.join();
        }
        try (Acceptor a = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 50)) {
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    a.serve(new ExecHandler(List.of("/bin/cat")), 10, Duration.ZERO, p -> { });
                } catch (IOException ignored) {
                    // ends when closed
                }
            });
            byte[] data = new byte[1024 * 1024];
            new java.util.Random(3).nextBytes(data);
            EchoResult r = EchoClient.echo(Peers.dialer(), a.endpoint(), dev.sockit.net.Transport.TCP, new ByteArrayInputStream(data), null);
            assertThat(r.bytes()).isEqualTo(data.length);
            a.close();
            server.join();
        }
    }

    @Test
    void listensOnAUnixSocketAndRemovesItsFileWhenClosed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("listen.sock");
        Endpoint unix = Endpoint.parse("unix:" + file);
        try (Acceptor a = Acceptor.bind(unix, 1)) {
            assertThat(a.endpoint()).isEqualTo(unix);
            CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
                try (Connection c = Peers.dialer().connect(unix)) {
                    c.shutdownOutput();
                    return new String(OneShotClient.readToEnd(c, 100, "test"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            new Relay(true, false).run(a.accept(Duration.ZERO), new ByteArrayInputStream("over unix\n".getBytes()), new ByteArrayOutputStream());
            assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("over unix\n");
            assertThat(Files.exists(file)).isTrue();
        }
        assertThat(Files.exists(file)).isFalse();
    }

    @Test
    void aPortInUseIsExplained() throws Exception {
        try (Acceptor first = Acceptor.bind(Endpoint.parse("127.0.0.1:0"), 1)) {
            int port = ((Endpoint.Inet) first.endpoint()).port();
            assertThatThrownBy(() -> Acceptor.bind(Endpoint.parse("127.0.0.1:" + port), 1))
                    .isInstanceOf(ListenException.class)
                    .hasMessage("cannot listen on tcp 127.0.0.1:" + port
                            + " — address already in use (another program serves it; stop that one or choose another port)");
        }
    }
}
