package dev.sockit.testing;

import dev.sockit.engine.EngineKind;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.function.UnaryOperator;

/**
 * Servers on a loopback address and port 0, and clients for them.
 *
 * <p>Every server a test builds comes from {@link #builder()}, which serves with the engine named by
 * the system property {@code sockit.test.engine} ({@code threads} or {@code epoll}; unset: the
 * platform's preferred one). The build runs the server tests once per engine, so the engines cannot
 * drift apart. An engine named but unable to run here fails the test rather than quietly testing the other.
 */
public final class Loopback {
    private Loopback() {
    }

    /** The engine the tests were asked to run with, or null for the platform's preferred one. */
    public static EngineKind engine() {
        String name = System.getProperty("sockit.test.engine", "").strip();
        if (name.isEmpty()) {
            return null;
        }
        EngineKind kind = EngineKind.parse(name);
        kind.unavailable().ifPresent(why -> {
            throw new IllegalStateException("sockit.test.engine=" + name + " but that engine cannot run here: " + why);
        });
        return kind;
    }

    /** A server builder with the engine under test. */
    public static Server.Builder builder() {
        EngineKind kind = engine();
        return kind == null ? Server.builder() : Server.builder().engine(kind);
    }

    public static Server serve(String host, String service, Settings settings, RecordingEvents events) throws IOException {
        return serve(host, service, settings, events, b -> b);
    }

    public static Server serve(String host, String service, Settings settings, RecordingEvents events,
                               UnaryOperator<Server.Builder> tune) throws IOException {
        Server.Builder b = builder()
                .serve(Service.named(service).orElseThrow(), Transport.TCP, new Endpoint.Inet(host, 0))
                .settings(settings).events(events);
        return tune.apply(b).start();
    }

    public static InetSocketAddress address(Server server) {
        return ((Endpoint.Inet) server.endpoint()).toSocketAddress();
    }

    public static Socket connect(Server server) throws IOException {
        Socket s = new Socket();
        s.connect(address(server), 5000);
        s.setSoTimeout(20_000); // a hung server fails the test instead of hanging it
        return s;
    }

    public static SocketChannel channel(Server server) throws IOException {
        return SocketChannel.open(address(server));
    }

    public static byte[] readAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        return in.readAllBytes();
    }
}
