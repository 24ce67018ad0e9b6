package dev.sockit.client;

import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.DatagramService;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** The servers the client tests talk to, all on loopback and port 0. */
final class Peers {
    static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");
    static final InetAddress V6 = InetAddress.ofLiteral("::1");

    private Peers() {
    }

    /** sockit's own server, serving one service over TCP on {@code host}:0. */
    static Server sockit(String service, String host, Settings settings) throws IOException {
        return Server.builder()
                .serve(Service.named(service).orElseThrow(), Transport.TCP, Endpoint.parse(host.contains(":") ? "[" + host + "]:0" : host + ":0"))
                .settings(settings)
                .events(new ServerEvents() {
                })
                .grace(Duration.ofSeconds(1))
                .start();
    }

    static Server sockit(String service, Endpoint endpoint, Settings settings) throws IOException {
        return Server.builder().serve(Service.named(service).orElseThrow(), Transport.TCP, endpoint).settings(settings)
                .events(new ServerEvents() {
                }).grace(Duration.ofSeconds(1)).start();
    }

    /** sockit's own server, serving one service over {@code transport} on {@code endpoint} (e.g. a Unix socket). */
    static Server sockit(String service, Transport transport, Endpoint endpoint, Settings settings) throws IOException {
        return Server.builder().serve(Service.named(service).orElseThrow(), transport, endpoint).settings(settings)
                .events(new ServerEvents() {
                }).grace(Duration.ofSeconds(1)).start();
    }

    /** Where a Unix socket lives: a file path, or a name in Linux's abstract namespace. */
    enum UnixKind { PATH, ABSTRACT }

    /** A fresh Unix endpoint of that kind: a file in {@code dir}, or an abstract name no other test uses. */
    static Endpoint.Unix unix(UnixKind kind, java.nio.file.Path dir, String name) {
        return kind == UnixKind.PATH ? new Endpoint.Unix(dir.resolve(name).toString(), false)
                : new Endpoint.Unix("sockit-test-" + name + "-" + java.util.UUID.randomUUID(), true);
    }

    /** A dialer with a resolver that knows only the names given. */
    static Dialer dialer(Resolver resolver) {
        return new Dialer(ClientOptions.defaults().withResolver(resolver));
    }

    static Dialer dialer() {
        return new Dialer(ClientOptions.defaults());
    }

    static Endpoint at(SocketAddress a) {
        return Endpoint.of(a);
    }

    /** What a plain JDK server does with one accepted connection. */
    @FunctionalInterface
    interface Exchange {
        void run(InputStream in, OutputStream out, Socket s) throws IOException;
    }

    /** A plain {@link ServerSocket} that runs {@code exchange} for each connection, one at a time, until closed. */
    static final class Plain implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger served = new AtomicInteger();
        private final Thread thread;
        final List<Throwable> failures = new ArrayList<>();

        Plain(InetAddress host, Exchange exchange) throws IOException {
            server = new ServerSocket(0, 50, host);
            thread = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        exchange.run(s.getInputStream(), s.getOutputStream(), s);
                        served.incrementAndGet();
                    } catch (IOException e) {
                        if (!server.isClosed()) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        }
                    }
                }
            });
        }

        Endpoint endpoint() {
            return Endpoint.of(server.getLocalSocketAddress());
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(Duration.ofSeconds(5));
        }
    }

    /** A UDP server answering with one of sockit's datagram services, on a JDK DatagramChannel. */
    static final class Udp implements AutoCloseable {
        final DatagramChannel channel;
        final AtomicInteger requests = new AtomicInteger();
        private final Thread thread;

        Udp(InetAddress host, DatagramService service) throws IOException {
            this(host, service, 0);
        }

        /** @param ignoreFirst requests to drop unanswered, as a lossy network would */
        Udp(InetAddress host, DatagramService service, int ignoreFirst) throws IOException {
            channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(host, 0));
            thread = Thread.ofVirtual().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(65_536);
                while (channel.isOpen()) {
                    try {
                        buf.clear();
                        InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                        if (requests.incrementAndGet() <= ignoreFirst) {
                            continue;
                        }
                        Optional<ByteBuffer> reply = service.answer(buf.flip(), Addresses.format(from));
                        if (reply.isPresent()) {
                            channel.send(reply.get(), from);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        Endpoint endpoint() throws IOException {
            return Endpoint.of(channel.getLocalAddress());
        }

        int port() throws IOException {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        @Override
        public void close() throws Exception {
            channel.close();
            thread.join(Duration.ofSeconds(5));
        }
    }

    /**
     * A listening socket that never completes a handshake: its backlog of one is filled with connections
     * that are never accepted, so the kernel drops further SYNs and a connect just waits.
     */
    static final class Unanswering implements AutoCloseable {
        final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        Unanswering(InetAddress host) throws IOException {
            server = new ServerSocket(0, 1, host);
            for (int i = 0; i < 16; i++) {
                Socket s = new Socket();
                try {
                    s.connect(server.getLocalSocketAddress(), 300);
                    fillers.add(s);
                } catch (java.net.SocketTimeoutException full) {
                    s.close();
                    return; // this connect was not answered: the backlog is full
                }
            }
            throw new IllegalStateException("could not fill the backlog of " + server);
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            server.close();
        }
    }

    /** A port on {@code host} with nobody listening: bound once, then released. */
    static int deadPort(InetAddress host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, host)) {
            return s.getLocalPort();
        }
    }
}
