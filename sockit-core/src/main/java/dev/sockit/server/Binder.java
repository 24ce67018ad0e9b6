package dev.sockit.server;

import dev.sockit.io.DatagramPort;
import dev.sockit.io.StreamAcceptor;
import dev.sockit.linux.ErrnoException;
import dev.sockit.linux.InheritedDatagramSocket;
import dev.sockit.linux.InheritedSocket;
import dev.sockit.linux.Libc;
import dev.sockit.linux.NativeSocketOptions;
import dev.sockit.linux.PassedConnection;
import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.linux.UnixStreamListener;
import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.SocketOptions;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.service.Service;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens the sockets a server listens on, for every transport and endpoint kind:
 * TCP and Unix paths through the JDK, Linux abstract names and Unix datagram through
 * {@code dev.sockit.linux}, UDP through the JDK.
 *
 * <p><b>Replies leave from the address the request came to.</b> A UDP socket bound to the wildcard
 * address sends from whatever address the routing table picks, which on a multi-homed host may not be
 * the one the client asked: the client then drops the reply, or a firewall does. The two cures are
 * IP_PKTINFO (receive the destination address, send from it, with recvmsg/sendmsg) or one socket per
 * local address. sockit binds one socket per address: the JDK's DatagramChannel does not offer
 * IP_PKTINFO, and doing it through FFM would put every UDP listener on native blocking calls, which
 * need a platform thread each; a socket per address keeps UDP on the JDK and on virtual threads, and
 * every reply leaves from the address it was sent to, by construction. The price: an address added
 * after start is not served until a restart (nor 127.0.0.2 and the rest of 127/8, which no interface
 * lists), and a wildcard listener is shown as one line per address. 0.0.0.0 and [::], said outright,
 * are split alike: they mean every address as much as :PORT does.
 * (A directed broadcast is then not received at all, which is as it should be.)
 *
 * <p>Specs on port 0 get the same port on every transport and address where it is free.
 */
final class Binder {
    private static final int BACKLOG = 4096;
    private static final int TRIES = 8;

    private final int socketMode;
    private final ServerEvents events;
    private final Map<String, Integer> portOf = new HashMap<>();

    Binder(int socketMode, ServerEvents events) {
        this.socketMode = socketMode;
        this.events = events;
    }

    /** Said of the sockets made through libc, which do not take {@link SocketOptions} yet. */
    private static final String NOT_APPLIED = "(socket options are not applied to connections on Linux abstract names yet)";

    /**
     * One bound socket, and a socket file to remove on stop: a JDK listener ({@code channel}), a
     * listener made through libc ({@code acceptor}), a datagram socket ({@code port}), or a listener
     * passed by socket activation ({@code inherited}).
     */
    record Bound(Listener listener, ServerSocketChannel channel, StreamAcceptor acceptor, DatagramPort port, Path file,
                 InheritedSocket inherited) implements Closeable {
        Bound(Listener listener, ServerSocketChannel channel, StreamAcceptor acceptor, DatagramPort port, Path file) {
            this(listener, channel, acceptor, port, file, null);
        }

        @Override
        public void close() {
            if (inherited != null) {
                inherited.close();
            }
            try {
                if (channel != null) {
                    channel.close();
                }
                if (acceptor != null) {
                    acceptor.close();
                }
                if (port != null) {
                    port.close();
                }
            } catch (IOException ignored) {
                // failing anyway
            }
        }
    }

    Bound stream(Service service, Endpoint endpoint, SocketOptions options) throws ListenException {
        Transport t = Transport.TCP;
        try {
            return switch (endpoint) {
                case Endpoint.Unix u when u.abstractName() -> {
                    UnixStreamListener l = UnixStreamListener.bind(UnixSocketAddress.of(u), BACKLOG);
                    Listener listener = new Listener(service, t, u, l.localAddress().toEndpoint(), options, options.isDefault() ? "" : NOT_APPLIED);
                    yield new Bound(listener, null, l, null, null);
                }
                case Endpoint.Unix u -> {
                    SocketFiles.prepare(t, u);
                    ServerSocketChannel ch = SocketFiles.bindWithMode(u, socketMode, () -> {
                        ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                        try {
                            options.applyToListener(c);
                            c.bind(u.toSocketAddress(), BACKLOG);
                            return c;
                        } catch (IOException | RuntimeException e) {
                            c.close();
                            throw e;
                        }
                    });
                    Listener listener = new Listener(service, t, u, Endpoint.of(ch.getLocalAddress()), options,
                            options.readBack(StandardProtocolFamily.UNIX, ch));
                    yield new Bound(listener, ch, null, null, u.file());
                }
                case Endpoint.Inet i -> {
                    ServerSocketChannel ch = tcp(i, BindAddress.of(t, i), sharedPort(service, i), options);
                    Endpoint bound = Endpoint.of(ch.getLocalAddress());
                    remember(service, i, bound);
                    Listener listener = new Listener(service, t, i, bound, options, options.readBack(familyOf(ch.getLocalAddress()), ch));
                    yield new Bound(listener, ch, null, null, null);
                }
            };
        } catch (ListenException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ListenException.of(t, endpoint, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    /**
     * A socket passed by socket activation: bound already (by systemd), so only its options are set
     * here; on a listening stream socket, from which Linux copies them to what it accepts. A UDP socket
     * becomes a port that answers from the address each datagram came to.
     */
    Bound inherited(Service service, InheritedSocket socket, SocketOptions options) throws ListenException {
        Endpoint local = socket.local();
        boolean tcp = local instanceof Endpoint.Inet && socket.transport() == Transport.TCP;
        SocketOptions set = tcp ? options.forAcceptedTcp() : options; // TCP_NODELAY on by default, as on sockit's own listeners
        if (!set.isDefault()) {
            try (Arena arena = Arena.ofConfined()) {
                NativeSocketOptions.apply(Libc.newCallState(arena), arena.allocate(NativeSocketOptions.SCRATCH), socket.fd(), set, tcp);
            } catch (ErrnoException e) {
                throw new ListenException("cannot set socket options on " + socket + " — " + e.getMessage(), ListenException.Reason.OTHER, e);
            }
        }
        Listener listener = new Listener(service, socket.transport(), local, local, options, "");
        if (socket.transport() == Transport.UDP) {
            try {
                DatagramPort port = local instanceof Endpoint.Inet ? InheritedDatagramSocket.adopt(socket) : UnixDatagramSocket.adopt(socket);
                return new Bound(listener, null, null, port, null, null);
            } catch (ErrnoException e) {
                throw new ListenException("cannot receive on " + socket + " — " + e.getMessage(), ListenException.Reason.OTHER, e);
            }
        }
        if (!socket.listening()) {
            return new Bound(listener, null, PassedConnection.adopt(socket), null, null, null); // Accept=yes: one connection
        }
        return new Bound(listener, null, null, null, null, socket);
    }

    private static ProtocolFamily familyOf(java.net.SocketAddress a) {
        return a instanceof InetSocketAddress i && i.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** {@code address} on {@code port}: the port shared with the service's other listeners, or if taken here, the one asked for. */
    private ServerSocketChannel tcp(Endpoint.Inet endpoint, InetSocketAddress address, int port, SocketOptions options) throws IOException {
        try {
            return tcpOn(endpoint, new InetSocketAddress(address.getAddress(), port), options);
        } catch (BindException e) {
            if (port != address.getPort()) {
                return tcpOn(endpoint, address, options); // the shared port is taken here: any free one
            }
            throw e;
        }
    }

    private static ServerSocketChannel tcpOn(Endpoint.Inet endpoint, InetSocketAddress address, SocketOptions options) throws IOException {
        ServerSocketChannel ch = BindAddress.openTcp(endpoint, address);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            options.applyToListener(ch);
            ch.bind(address, BACKLOG);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static String unixDatagramReadBack(UnixDatagramSocket s, SocketOptions options) throws IOException {
        List<String> parts = new java.util.ArrayList<>();
        if (options.receiveBuffer() != null) {
            parts.add("rcvbuf=" + s.receiveBufferSize());
        }
        if (options.sendBuffer() != null) {
            parts.add("sndbuf=" + s.sendBufferSize());
        }
        return String.join(" ", parts);
    }

    List<Bound> datagram(Service service, Endpoint endpoint, SocketOptions options) throws ListenException {
        Transport t = Transport.UDP;
        try {
            return switch (endpoint) {
                case Endpoint.Unix u -> {
                    SocketFiles.prepare(t, u);
                    UnixDatagramSocket s = SocketFiles.bindWithMode(u, socketMode, () -> UnixDatagramSocket.bind(UnixSocketAddress.of(u)));
                    // The listening socket is the only socket a datagram service has: its buffers are the options that apply.
                    s.apply(options);
                    Listener listener = new Listener(service, t, u, s.localAddress().toEndpoint(), options, unixDatagramReadBack(s, options));
                    yield List.of(new Bound(listener, null, null, s, u.abstractName() ? null : u.file()));
                }
                case Endpoint.Inet i when i.isWildcard() -> udpEveryAddress(service, i, options, false);
                case Endpoint.Inet i when BindAddress.of(t, i).getAddress().isAnyLocalAddress() ->
                        // 0.0.0.0 or [::] said outright: every address too (IPv4's only for 0.0.0.0, as for TCP),
                        // since one wildcard socket would answer from whichever address routes back, not the one asked
                        udpEveryAddress(service, i, options, BindAddress.of(t, i).getAddress() instanceof Inet4Address);
                case Endpoint.Inet i -> {
                    InetSocketAddress a = BindAddress.of(t, i);
                    DatagramChannel ch = udp(a.getAddress(), sharedPort(service, i), i.port(), options);
                    Endpoint bound = Endpoint.of(ch.getLocalAddress());
                    remember(service, i, bound);
                    yield List.of(new Bound(new Listener(service, t, i, bound, options, applied(ch, options)), null, null, DatagramPort.of(ch), null));
                }
            };
        } catch (ListenException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ListenException.of(t, endpoint, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    private DatagramChannel udp(InetAddress address, int port, int requestedPort, SocketOptions options) throws IOException {
        try {
            return udpOn(address, port, options);
        } catch (BindException e) {
            if (port != requestedPort) {
                return udpOn(address, requestedPort, options);
            }
            throw e;
        }
    }

    /** A UDP socket with the options that mean something to one: its buffers, and SO_REUSEPORT. */
    private static DatagramChannel udpOn(InetAddress address, int port, SocketOptions options) throws IOException {
        ProtocolFamily family = address instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        DatagramChannel ch = DatagramChannel.open(family);
        try {
            options.applyTo(ch, false);
            if (options.reusePort()) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            ch.bind(new InetSocketAddress(address, port));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * One socket per local address, all on one port. On port 0 the first socket picks the port; if
     * another address has it taken, the whole group tries again on a new one.
     */
    /** What the kernel holds for the options set on a UDP socket (Linux doubles buffer sizes), for the start-up line. */
    private static String applied(DatagramChannel ch, SocketOptions options) throws IOException {
        List<String> parts = new ArrayList<>();
        if (options.receiveBuffer() != null) {
            parts.add("rcvbuf=" + ch.getOption(StandardSocketOptions.SO_RCVBUF));
        }
        if (options.sendBuffer() != null) {
            parts.add("sndbuf=" + ch.getOption(StandardSocketOptions.SO_SNDBUF));
        }
        if (options.reusePort()) {
            parts.add("reuseport=" + (ch.getOption(StandardSocketOptions.SO_REUSEPORT) ? "on" : "off"));
        }
        return String.join(" ", parts);
    }

    private List<Bound> udpEveryAddress(Service service, Endpoint.Inet endpoint, SocketOptions options, boolean ipv4Only) throws IOException {
        List<InetAddress> addresses = LocalAddresses.all().stream().filter(a -> !ipv4Only || a instanceof Inet4Address).toList();
        int wanted = sharedPort(service, endpoint);
        for (int attempt = 1; ; attempt++) {
            List<Bound> group = new ArrayList<>();
            int port = wanted;
            try {
                for (InetAddress a : addresses) {
                    DatagramChannel ch;
                    try {
                        ch = udpOn(a, port, options);
                    } catch (UnsupportedOperationException e) {
                        continue; // IPv6 off in this JVM (java.net.preferIPv4Stack)
                    } catch (BindException e) {
                        if (String.valueOf(e.getMessage()).contains("assign requested address")) {
                            // e.g. an IPv6 address still in duplicate address detection
                            events.warning("udp: not listening on " + Addresses.format(a) + " (" + e.getMessage() + ")");
                            continue;
                        }
                        throw e;
                    }
                    port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                    // From the interface's own address: it names a link-local zone (%eth0), getLocalAddress only numbers it.
                    Endpoint bound = Endpoint.of(new InetSocketAddress(a, port));
                    group.add(new Bound(new Listener(service, Transport.UDP, endpoint, bound, options, applied(ch, options)),
                            null, null, DatagramPort.of(ch), null));
                }
                if (group.isEmpty()) {
                    throw new IOException("no local address could be bound");
                }
                remember(service, endpoint, group.getFirst().listener().bound());
                return group;
            } catch (BindException e) {
                group.forEach(Bound::close);
                boolean ephemeral = endpoint.port() == 0;
                if (!ephemeral || attempt >= TRIES || !String.valueOf(e.getMessage()).contains("in use")) {
                    throw e;
                }
                wanted = 0;
            } catch (IOException | RuntimeException e) {
                group.forEach(Bound::close);
                throw e;
            }
        }
    }

    /** For a spec on port 0: the port another transport of it already got, so both share one; else 0. */
    private int sharedPort(Service service, Endpoint.Inet endpoint) {
        return endpoint.port() == 0 ? portOf.getOrDefault(key(service, endpoint), 0) : endpoint.port();
    }

    private void remember(Service service, Endpoint.Inet requested, Endpoint bound) {
        if (requested.port() == 0 && bound instanceof Endpoint.Inet b) {
            portOf.putIfAbsent(key(service, requested), b.port());
        }
    }

    private static String key(Service service, Endpoint endpoint) {
        return service.name() + "@" + endpoint;
    }
}
