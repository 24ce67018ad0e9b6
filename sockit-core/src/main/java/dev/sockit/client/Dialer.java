package dev.sockit.client;

import dev.sockit.linux.UnixStreamSocket;
import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reaches a server named by an {@link Endpoint}: resolves every address of its host, keeps those of
 * the allowed family, and connects with {@link HappyEyeballs} (TCP), directly (Unix stream and
 * datagram, paths and abstract names), or by asking each address in turn until one answers (UDP).
 */
public final class Dialer {
    /** Told where a dialer got through, and what became of each address on the way (for {@code -v}). */
    @FunctionalInterface
    public interface Observer {
        /**
         * @param peer     the address that answered, e.g. {@code [::1]:7} or {@code unix:/run/echo.sock}
         * @param attempts every address tried (empty for Unix sockets)
         */
        void reached(String peer, List<Attempt> attempts);
    }

    private final ClientOptions options;
    private final Observer observer;

    public Dialer(ClientOptions options) {
        this(options, (peer, attempts) -> {
        });
    }

    public Dialer(ClientOptions options, Observer observer) {
        this.options = options;
        this.observer = observer;
    }

    public ClientOptions options() {
        return options;
    }

    /** Connects a stream socket: TCP to the first address that answers, or a Unix stream socket. */
    public Connection connect(Endpoint endpoint) throws IOException {
        return switch (endpoint) {
            case Endpoint.Unix u -> connectUnix(u);
            case Endpoint.Inet i -> {
                List<InetSocketAddress> addresses = addresses(i);
                HappyEyeballs.Connected c = new HappyEyeballs(options.attemptDelay(), options.connectTimeout(), options.socket())
                        .connect(addresses, "tcp " + i);
                Connection conn = new Connection(c.channel(), Addresses.format(c.address()), options.idleTimeout(), c.attempts());
                observer.reached(conn.peer(), conn.attempts());
                yield conn;
            }
        };
    }

    private Connection connectUnix(Endpoint.Unix u) throws IOException {
        UnsupportedTransportException.check(Transport.TCP, u);
        if (u.abstractName()) {
            return connectAbstract(u);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            options.socket().applyTo(ch, false);
            ch.connect(u.toSocketAddress());
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to unix " + u + " — " + Reasons.of(e, u, Transport.TCP), e);
        }
        observer.reached(u.toString(), List.of());
        return new Connection(ch, u.toString(), options.idleTimeout(), List.of());
    }

    /** A Linux abstract name, which the JDK cannot address: connected through libc. */
    private Connection connectAbstract(Endpoint.Unix u) throws IOException {
        UnixStreamSocket s;
        try {
            s = UnixStreamSocket.connect(UnixSocketAddress.of(u));
        } catch (IOException e) {
            throw new IOException("cannot connect to unix " + u + " — " + Reasons.of(e, u, Transport.TCP), e);
        }
        try {
            s.apply(options.socket());
        } catch (IOException e) {
            s.close();
            throw new IOException("cannot set the socket options of unix " + u + ": " + e.getMessage(), e);
        }
        observer.reached(u.toString(), List.of());
        return new Connection(s, u.toString(), options.idleTimeout());
    }

    /**
     * Every address of the endpoint's host that the family allows, without repeats, in Happy Eyeballs
     * order (IPv6 first, then alternating).
     *
     * @throws UnknownHostException when the name has no address, or none of the allowed family
     */
    public List<InetSocketAddress> addresses(Endpoint.Inet endpoint) throws UnknownHostException {
        if (endpoint.isWildcard()) {
            throw new IllegalArgumentException("'" + endpoint + "' names no host; write HOST:PORT, e.g. localhost:" + endpoint.port());
        }
        List<InetAddress> all = options.resolver().resolve(endpoint.host());
        if (all.isEmpty()) {
            throw new UnknownHostException("unknown host '" + endpoint.host() + "' (the name has no address)");
        }
        List<InetAddress> allowed = all.stream().filter(options.family()::accepts).toList();
        if (allowed.isEmpty()) {
            throw new UnknownHostException("'" + endpoint.host() + "' has no " + options.family().label() + " address (it has "
                    + all.stream().map(Addresses::format).collect(Collectors.joining(", ")) + ")");
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetAddress a : HappyEyeballs.interleave(List.copyOf(new LinkedHashSet<>(allowed)))) {
            out.add(new InetSocketAddress(a, endpoint.port()));
        }
        return out;
    }

    /**
     * A datagram socket with the endpoint as its peer, for sending without waiting for a reply: UDP to
     * the endpoint's first address (Happy Eyeballs order), or a Unix datagram socket.
     */
    public DatagramLink datagram(Endpoint endpoint) throws IOException {
        DatagramLink link = switch (endpoint) {
            case Endpoint.Unix u -> openUnix(u);
            case Endpoint.Inet i -> DatagramLink.open(addresses(i).getFirst(), options.idleTimeout());
        };
        observer.reached(link.peerText(), List.of());
        return link;
    }

    private DatagramLink openUnix(Endpoint.Unix u) throws IOException {
        UnsupportedTransportException.check(Transport.UDP, u);
        try {
            return DatagramLink.open(UnixSocketAddress.of(u), options.idleTimeout(), options.socket());
        } catch (IOException e) {
            throw new IOException("cannot connect to unixgram " + u + " — " + Reasons.of(e, u, Transport.UDP), e);
        }
    }

    /** A datagram socket to the first address that answered, and its answer. */
    public record Answered(DatagramLink link, byte[] reply) {
    }

    /**
     * Sends {@code request} to each address of the endpoint in turn (a Unix socket has one), resending
     * while waiting, until one replies; the others are closed.
     *
     * @throws ConnectFailedException when no address replied; it lists each one and why
     * @throws IOException            when a Unix socket did not reply; it says why
     */
    public Answered ask(Endpoint endpoint, byte[] request) throws IOException {
        return switch (endpoint) {
            case Endpoint.Unix u -> askUnix(u, request);
            case Endpoint.Inet i -> askInet(i, request);
        };
    }

    private Answered askUnix(Endpoint.Unix u, byte[] request) throws IOException {
        DatagramLink link = openUnix(u);
        try {
            byte[] reply = link.ask(request);
            observer.reached(link.peerText(), List.of());
            return new Answered(link, reply);
        } catch (IOException e) {
            link.close();
            String why = e instanceof SocketTimeoutException ? e.getMessage() : Reasons.of(e, u, Transport.UDP);
            throw new IOException("no reply from unixgram " + u + " — " + why, e);
        }
    }

    private Answered askInet(Endpoint.Inet i, byte[] request) throws IOException {
        List<Attempt> failed = new ArrayList<>();
        for (InetSocketAddress a : addresses(i)) {
            DatagramLink link;
            try {
                link = DatagramLink.open(a, options.idleTimeout());
            } catch (IOException | UnsupportedOperationException e) {
                failed.add(Attempt.failed(a, e instanceof IOException io ? Reasons.of(io) : "unreachable (this machine has no IPv6)"));
                continue;
            }
            try {
                byte[] reply = link.ask(request);
                failed.add(new Attempt(a, Attempt.Outcome.CONNECTED, ""));
                observer.reached(link.peerText(), failed);
                return new Answered(link, reply);
            } catch (PortUnreachableException e) {
                failed.add(Attempt.failed(a, "refused (port unreachable)"));
            } catch (SocketTimeoutException e) {
                failed.add(Attempt.failed(a, e.getMessage()));
            } catch (IOException e) {
                failed.add(Attempt.failed(a, Reasons.of(e)));
            }
            link.close();
        }
        throw new ConnectFailedException("no reply from udp " + i, failed);
    }
}
