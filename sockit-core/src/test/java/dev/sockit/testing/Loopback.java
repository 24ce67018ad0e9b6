package dev.sockit.testing;

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

/** Servers on a loopback address and port 0, and clients for them. */
public final class Loopback {
    private Loopback() {
    }

    public static Server serve(String host, String service, Settings settings, RecordingEvents events) throws IOException {
        return serve(host, service, settings, events, b -> b);
    }

    public static Server serve(String host, String service, Settings settings, RecordingEvents events,
                               UnaryOperator<Server.Builder> tune) throws IOException {
        Server.Builder b = Server.builder()
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
