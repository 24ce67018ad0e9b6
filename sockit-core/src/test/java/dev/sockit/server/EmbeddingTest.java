package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Output;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.service.StreamService;
import dev.sockit.service.StreamSession;
import dev.sockit.testing.Loopback;
import dev.sockit.testing.RecordingEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a program embedding sockit-core relies on beyond the CLI: stopping from its own callbacks,
 * stops from two threads, {@link Server#join()}, its own service, where a session's output may be
 * used, and arguments refused when given rather than at start. On the engine under test.
 */
@Timeout(60)
class EmbeddingTest {
    private static final Endpoint LOOPBACK = new Endpoint.Inet("127.0.0.1", 0);

    /** A service of the embedder's own: upper-cases what it receives. */
    private static final Service UPPER = new Service("upper", 0, "-", "echoes in capitals", settings -> peer -> new StreamSession() {
        @Override
        public void received(ByteBuffer in, Output out) {
            ByteBuffer up = ByteBuffer.allocate(Math.min(in.remaining(), out.room())); // the rest stays in: offered again
            while (up.hasRemaining()) {
                byte b = in.get();
                up.put(b >= 'a' && b <= 'z' ? (byte) (b - 32) : b);
            }
            out.write(up.flip());
        }
    }, null);

    @Test
    void anEmbeddersOwnServiceIsServed() throws Exception {
        try (Server server = Loopback.builder().serve(UPPER, Transport.TCP, LOOPBACK).events(new RecordingEvents()).start();
             Socket s = Loopback.connect(server)) {
            s.getOutputStream().write("hello, World".getBytes(US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(12), US_ASCII)).isEqualTo("HELLO, WORLD");
        }
    }

    @Test
    void stopCalledFromAnEventStopsTheServerWithoutWaitingForItself() throws Exception {
        AtomicReference<Server> server = new AtomicReference<>();
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        ServerEvents stopAfterFirst = new ServerEvents() {
            @Override
            public void connectionEnded(ConnectionRecord r) {
                answered.complete(server.get().stop(Duration.ofSeconds(30))); // on the engine's own thread
            }
        };
        server.set(Loopback.builder().serve(Service.named("daytime").orElseThrow(), Transport.TCP, LOOPBACK).events(stopAfterFirst).start());
        try (Socket s = Loopback.connect(server.get())) {
            assertThat(Loopback.readAll(s)).isNotEmpty();
        }
        assertThat(answered.get(10, TimeUnit.SECONDS)).as("it cannot wait for its own connection, so it does not").isFalse();
        joinWithin(server.get(), Duration.ofSeconds(10));
        assertRefused(server.get());
    }

    @Test
    void stopAcceptingCalledFromASessionDoesNotStallItsEngine() throws Exception {
        AtomicReference<Server> server = new AtomicReference<>();
        StreamService closingTheDoor = peer -> new StreamSession() {
            @Override
            public void received(ByteBuffer in, Output out) {
                server.get().stopAccepting(); // an event loop once waited here for itself, for ever
                out.write(in);
            }
        };
        Service service = new Service("last-orders", 0, "-", "echoes, and takes no one new", settings -> closingTheDoor, null);
        server.set(Loopback.builder().serve(service, Transport.TCP, LOOPBACK).events(new RecordingEvents()).start());
        try (Socket s = Loopback.connect(server.get())) {
            s.getOutputStream().write("still served".getBytes(US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(12), US_ASCII)).isEqualTo("still served");
        } finally {
            assertThat(server.get().stop(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aSecondStopWaitsForTheFirstAndGivesItsAnswer() throws Exception {
        Server server = Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, LOOPBACK).events(new RecordingEvents()).start();
        try (Socket held = Loopback.connect(server)) {
            held.getOutputStream().write('x');
            assertThat(held.getInputStream().read()).isEqualTo('x');
            // The held connection never finishes: whichever stop goes first gives up on it and closes
            // it, so both must say false. (Before, the second said true at once, the connection still open.)
            CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> server.stop(Duration.ofMillis(300)));
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> server.stop(Duration.ZERO));
            assertThat(second.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(first.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(held.getInputStream().read()).as("closed by the stop").isEqualTo(-1);
        }
    }

    @Test
    void joinReturnsOnceAnotherThreadHasStoppedTheServer() throws Exception {
        Server server = Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, LOOPBACK).events(new RecordingEvents()).start();
        CountDownLatch joined = new CountDownLatch(1);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                server.join();
                joined.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (Socket s = Loopback.connect(server)) {
            s.getOutputStream().write('y');
            assertThat(s.getInputStream().read()).isEqualTo('y');
            assertThat(joined.getCount()).as("still serving").isEqualTo(1);
        }
        server.close();
        assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();
        waiter.join();
    }

    @Test
    void aSessionsOutputRefusesAnotherThread() throws Exception {
        CompletableFuture<Output> leaked = new CompletableFuture<>();
        StreamService leaking = peer -> new StreamSession() {
            @Override
            public void opened(Output out) {
                leaked.complete(out);
            }
        };
        Service service = new Service("leak", 0, "-", "hands its output out", settings -> leaking, null);
        try (Server server = Loopback.builder().serve(service, Transport.TCP, LOOPBACK).events(new RecordingEvents()).start();
             Socket s = Loopback.connect(server)) {
            Output out = leaked.get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> out.write(ByteBuffer.wrap("tick".getBytes(US_ASCII))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("own callbacks");
            assertThatThrownBy(out::close).isInstanceOf(IllegalStateException.class);
            // The connection itself is untouched: the session's own default still ends it when the peer does.
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aSessionsBugReachesTheEventsWithItsStack() throws Exception {
        IllegalStateException bug = new IllegalStateException("my bug");
        StreamService buggy = peer -> new StreamSession() {
            @Override
            public void received(ByteBuffer in, Output out) {
                throw bug;
            }
        };
        CompletableFuture<Throwable> reported = new CompletableFuture<>();
        ServerEvents events = new ServerEvents() {
            @Override
            public void warning(String message, Throwable cause) {
                reported.complete(cause);
            }
        };
        Service service = new Service("buggy", 0, "-", "fails on input", settings -> buggy, null);
        try (Server server = Loopback.builder().serve(service, Transport.TCP, LOOPBACK).events(events).start();
             Socket s = Loopback.connect(server)) {
            s.getOutputStream().write('z');
            assertThat(s.getInputStream().read()).as("its connection closed").isEqualTo(-1);
            assertThat(reported.get(10, TimeUnit.SECONDS)).isSameAs(bug);
        }
    }

    @Test
    void badArgumentsAreRefusedWhenGiven() {
        Server.Builder b = Server.builder();
        assertThatThrownBy(() -> b.bufferSize(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1024");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idle timeout");
        assertThatThrownBy(() -> b.grace(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grace");
        assertThatThrownBy(() -> b.grace(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("grace");
        assertThatThrownBy(() -> b.replyLimits(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.events(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.serve(null, Transport.TCP, LOOPBACK)).isInstanceOf(NullPointerException.class).hasMessageContaining("service");
        assertThatThrownBy(() -> b.serve(UPPER, null, LOOPBACK)).isInstanceOf(NullPointerException.class).hasMessageContaining("transport");
        assertThatThrownBy(() -> b.serve(UPPER, Transport.TCP, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("endpoint");
        assertThatThrownBy(() -> b.serve(UPPER, Transport.UDP, LOOPBACK)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("upper has no datagram form");
    }

    @Test
    void aStartThatFailsAfterBindingLeavesThePortFree() throws Exception {
        Endpoint endpoint = new Endpoint.Inet("127.0.0.1", freePort());
        ServerEvents failing = new ServerEvents() {
            @Override
            public void listening(Listener l) {
                throw new IllegalStateException("the embedder's handler failed");
            }
        };
        assertThatThrownBy(() -> Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, endpoint)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, endpoint).events(failing).start())
                .hasMessage("the embedder's handler failed");
        try (Server again = Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, endpoint)
                .serve(Service.named("echo").orElseThrow(), Transport.UDP, endpoint).events(new RecordingEvents()).start()) {
            assertThat(again.listeners()).hasSize(2);
        }
    }

    @Test
    void aStartWhoseWarningThrowsLeavesThePortFree() throws Exception {
        int port = freePort();
        Endpoint endpoint = new Endpoint.Inet("127.0.0.1", port);
        ServerEvents failing = new ServerEvents() {
            @Override
            public void warning(String message) {
                throw new IllegalStateException("the embedder's handler failed on: " + message);
            }
        };
        // More connections than the heap holds at their worst: warned of once the engine exists.
        assertThatThrownBy(() -> Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, endpoint)
                .maxConnections(Integer.MAX_VALUE).events(failing).start())
                .hasMessageContaining("the embedder's handler failed on: at most");
        try (Server again = Loopback.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, endpoint)
                .events(new RecordingEvents()).start()) {
            assertThat(again.listeners()).hasSize(1);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void joinWithin(Server server, Duration limit) throws Exception {
        CompletableFuture<Void> joined = CompletableFuture.runAsync(() -> {
            try {
                server.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        joined.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void assertRefused(Server server) {
        assertThatThrownBy(() -> new Socket(Loopback.address(server).getAddress(), Loopback.address(server).getPort()).close())
                .isInstanceOf(java.net.ConnectException.class);
    }
}
