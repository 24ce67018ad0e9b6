package dev.sockit.linux;

import dev.sockit.io.DatagramPort;
import dev.sockit.net.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The FFM Unix datagram socket: errors as errno says them, closing under a blocked call, never waiting on a receiver. */
@Timeout(30)
class UnixDatagramSocketTest {
    @TempDir
    Path dir;

    private UnixSocketAddress path(String name) {
        return UnixSocketAddress.path(dir.resolve(name));
    }

    private static UnixSocketAddress abstractName() {
        return UnixSocketAddress.abstractName("sockit-test-" + UUID.randomUUID());
    }

    @Test
    void datagramsGoBothWaysWithTheirSendersAddressPathOrAbstract() throws Exception {
        for (UnixSocketAddress[] pair : new UnixSocketAddress[][] {{path("a"), path("b")}, {abstractName(), abstractName()}}) {
            try (UnixDatagramSocket a = UnixDatagramSocket.bind(pair[0]); UnixDatagramSocket b = UnixDatagramSocket.bind(pair[1])) {
                assertThat(a.localAddress()).isEqualTo(pair[0]);
                assertThat(a.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), b.localAddress())).isTrue();
                ByteBuffer got = ByteBuffer.allocate(10);
                DatagramPort.Received r = b.receive(got);
                assertThat(r.sender()).isEqualTo(pair[0]);
                assertThat(r.length()).isEqualTo(3);
                assertThat(Arrays.copyOf(got.array(), got.position())).containsExactly(1, 2, 3);
            }
        }
    }

    @Test
    void anUnboundSenderIsUnnamed() throws Exception {
        try (UnixDatagramSocket server = UnixDatagramSocket.bind(path("s")); UnixDatagramSocket anonymous = UnixDatagramSocket.open()) {
            anonymous.send(ByteBuffer.allocate(0), server.localAddress());
            DatagramPort.Received r = server.receive(ByteBuffer.allocate(10));
            assertThat(r.length()).isZero();
            assertThat(((UnixSocketAddress) r.sender()).isUnnamed()).isTrue();
            assertThat(r.sender()).hasToString("unix:(unnamed)");
        }
    }

    @Test
    void aDatagramLongerThanTheBufferReportsItsWholeLength() throws Exception {
        try (UnixDatagramSocket server = UnixDatagramSocket.bind(path("s")); UnixDatagramSocket client = UnixDatagramSocket.open()) {
            client.send(ByteBuffer.allocate(70_000), server.localAddress());
            ByteBuffer got = ByteBuffer.allocate(100_000);
            DatagramPort.Received r = server.receive(got);
            assertThat(r.length()).isEqualTo(70_000);
            assertThat(got.position()).isEqualTo(UnixDatagramSocket.MAX_DATAGRAM);
        }
    }

    @Test
    void errnoBecomesAnExceptionNamingTheCallTheAddressAndTheCause() throws Exception {
        try (UnixDatagramSocket first = UnixDatagramSocket.bind(path("taken"))) {
            assertThatThrownBy(() -> UnixDatagramSocket.bind(path("taken"))).isInstanceOfSatisfying(ErrnoException.class, e -> {
                assertThat(e.errno()).contains(Errno.EADDRINUSE);
                assertThat(e).hasMessage("bind unix:" + dir.resolve("taken") + ": Address already in use");
            });
            assertThatThrownBy(() -> first.send(ByteBuffer.allocate(1), path("nobody")))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ENOENT))
                    .hasMessage("sendto unix:" + dir.resolve("nobody") + ": No such file or directory");
            UnixDatagramSocket gone = UnixDatagramSocket.bind(path("gone"));
            gone.close(); // the file stays, with nothing behind it
            assertThatThrownBy(() -> first.send(ByteBuffer.allocate(1), path("gone")))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ECONNREFUSED));
        }
        assertThatThrownBy(() -> UnixDatagramSocket.bind(UnixSocketAddress.path("/" + "x".repeat(120))))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ENAMETOOLONG))
                .hasMessageContaining("the limit is 107");
        assertThatThrownBy(() -> UnixDatagramSocket.bind(path("no/such/dir/s")))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ENOENT));
    }

    @Test
    void closeWakesAReceiveBlockedInTheKernel() throws Exception {
        UnixDatagramSocket socket = UnixDatagramSocket.bind(abstractName());
        CompletableFuture<Thread> receiver = new CompletableFuture<>();
        CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
            receiver.complete(Thread.currentThread());
            try {
                return socket.receive(ByteBuffer.allocate(10));
            } catch (Exception e) {
                return e;
            }
        }, r -> Thread.ofPlatform().start(r));
        Thread t = receiver.get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Arrays.stream(t.getStackTrace()).noneMatch(f -> f.getMethodName().equals("recvfrom")) && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the receiver is inside recvfrom(2)
        }
        socket.close();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(java.nio.channels.AsynchronousCloseException.class);
        assertThatThrownBy(() -> socket.receive(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void sendNeverWaitsForAReceiverThatDoesNotRead() throws Exception {
        try (UnixDatagramSocket deaf = UnixDatagramSocket.bind(path("deaf")); UnixDatagramSocket sender = UnixDatagramSocket.open()) {
            int sent = 0;
            boolean refused = false;
            for (int i = 0; i < 100_000 && !refused; i++) {
                if (sender.send(ByteBuffer.allocate(100), deaf.localAddress())) {
                    sent++;
                } else {
                    refused = true;
                }
            }
            assertThat(refused).as("a send refused once the receiver's queue is full").isTrue();
            assertThat(sent).isPositive();
        }
    }

    @Test
    void aReceiveTimeoutEndsTheWait() throws Exception {
        try (UnixDatagramSocket socket = UnixDatagramSocket.bind(abstractName())) {
            socket.setReceiveTimeout(Duration.ofMillis(20));
            assertThatThrownBy(() -> socket.receive(ByteBuffer.allocate(1))).isInstanceOf(SocketTimeoutException.class);
            assertThat(socket.tryReceive(ByteBuffer.allocate(1))).isNull();
        }
    }

    @Test
    void abstractStreamsConnectAndTellWhoIsOnTheOtherEnd() throws Exception {
        UnixSocketAddress name = abstractName();
        try (UnixStreamListener listener = UnixStreamListener.bind(name, 16);
             UnixStreamSocket client = UnixStreamSocket.connect(name)) {
            var accepted = listener.accept();
            assertThat(accepted.peer()).isEqualTo("unix:(pid " + ProcessHandle.current().pid() + " uid "
                    + java.nio.file.Files.getAttribute(Path.of("/proc/self"), "unix:uid") + ")");
            client.write(ByteBuffer.wrap(new byte[] {42}));
            client.shutdownOutput();
            ByteBuffer in = ByteBuffer.allocate(4);
            assertThat(accepted.stream().read(in)).isEqualTo(1);
            assertThat(accepted.stream().read(in)).isEqualTo(-1);
            accepted.stream().close();
            client.setReadTimeout(Duration.ofSeconds(5));
            assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void closingAListenerWakesItsAccept() throws Exception {
        UnixStreamListener listener = UnixStreamListener.bind(abstractName(), 16);
        CompletableFuture<Object> accept = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (Exception e) {
                return e;
            }
        }, r -> Thread.ofPlatform().start(r));
        listener.close();
        try {
            assertThat(accept.get(5, TimeUnit.SECONDS)).isInstanceOf(ClosedChannelException.class);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    // ---- the client's side: autobind, connect, a write that waits

    @Test
    void autobindGivesAFreshAbstractNameThatCanBeAnswered() throws Exception {
        try (UnixDatagramSocket server = UnixDatagramSocket.bind(path("server"));
             UnixDatagramSocket a = UnixDatagramSocket.autobind();
             UnixDatagramSocket b = UnixDatagramSocket.autobind()) {
            assertThat(a.localAddress().isAbstract()).isTrue();
            assertThat(a.localAddress().name()).matches("[0-9a-f]{5}"); // the kernel's autobind names
            assertThat(a.localAddress()).isNotEqualTo(b.localAddress());

            a.send(ByteBuffer.wrap(new byte[] {7}), server.localAddress());
            DatagramPort.Received r = server.receive(ByteBuffer.allocate(10));
            assertThat(r.sender()).isEqualTo(a.localAddress());
            assertThat(server.send(ByteBuffer.wrap(new byte[] {8}), r.sender())).isTrue();
            a.setReceiveTimeout(Duration.ofSeconds(5));
            ByteBuffer reply = ByteBuffer.allocate(10);
            a.receive(reply);
            assertThat(reply.flip().get()).isEqualTo((byte) 8);
        }
    }

    @Test
    void aConnectedSocketHearsOnlyItsPeer() throws Exception {
        try (UnixDatagramSocket server = UnixDatagramSocket.bind(path("server"));
             UnixDatagramSocket client = UnixDatagramSocket.autobind();
             UnixDatagramSocket stranger = UnixDatagramSocket.open()) {
            client.connect(server.localAddress());
            assertThat(client.peer()).contains(server.localAddress());
            assertThatThrownBy(() -> stranger.send(ByteBuffer.wrap(new byte[] {1}), client.localAddress()))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.EPERM));

            client.write(ByteBuffer.wrap(new byte[] {2}));
            DatagramPort.Received r = server.receive(ByteBuffer.allocate(10));
            assertThat(server.send(ByteBuffer.wrap(new byte[] {3}), r.sender())).isTrue();
            client.setReceiveTimeout(Duration.ofSeconds(5));
            assertThat(client.receive(ByteBuffer.allocate(10)).sender()).isEqualTo(server.localAddress());
        }
    }

    @Test
    void connectSaysWhatIsThere() throws Exception {
        try (UnixDatagramSocket client = UnixDatagramSocket.autobind();
             UnixStreamListener stream = UnixStreamListener.bind(path("stream"), 1)) {
            assertThatThrownBy(() -> client.connect(path("nobody")))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ENOENT));
            assertThatThrownBy(() -> client.connect(abstractName()))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ECONNREFUSED));
            assertThatThrownBy(() -> client.connect(stream.localAddress()))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.EPROTOTYPE))
                    .hasMessage("connect " + stream.localAddress() + ": Protocol wrong type for socket");
        }
    }

    @Test
    void aWriteWaitsForRoomInThePeersQueueForTheSendTimeoutThenSaysSo() throws Exception {
        try (UnixDatagramSocket deaf = UnixDatagramSocket.bind(path("deaf")); UnixDatagramSocket client = UnixDatagramSocket.autobind()) {
            client.connect(deaf.localAddress());
            client.setSendTimeout(Duration.ofMillis(50));
            int written = 0;
            Throwable stopped = null;
            while (stopped == null && written < 100_000) {
                try {
                    client.write(ByteBuffer.allocate(100));
                    written++;
                } catch (IOException e) {
                    stopped = e;
                }
            }
            assertThat(written).isPositive();
            assertThat(stopped).isInstanceOf(SocketTimeoutException.class)
                    .hasMessage(deaf.localAddress() + " took no datagram for the send timeout (its queue stayed full: is it reading?)");

            // One read makes room: the next write goes through.
            deaf.receive(ByteBuffer.allocate(100));
            client.setSendTimeout(Duration.ofSeconds(5));
            client.write(ByteBuffer.allocate(100));
        }
    }

    @Test
    void aWriteToAPeerThatClosedIsRefused() throws Exception {
        try (UnixDatagramSocket client = UnixDatagramSocket.autobind()) {
            UnixDatagramSocket peer = UnixDatagramSocket.bind(abstractName());
            client.connect(peer.localAddress());
            peer.close();
            assertThatThrownBy(() -> client.write(ByteBuffer.allocate(1)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).contains(Errno.ECONNREFUSED));
        }
    }

    @Test
    void theBufferSizesAskedForAreSet() throws Exception {
        try (UnixDatagramSocket s = UnixDatagramSocket.autobind()) {
            s.apply(dev.sockit.net.SocketOptions.DEFAULTS.withReceiveBuffer(40_000).withSendBuffer(50_000));
            assertThat(s.receiveBufferSize()).isEqualTo(80_000); // Linux doubles what it is asked for
            assertThat(s.sendBufferSize()).isEqualTo(100_000);
        }
    }
}
