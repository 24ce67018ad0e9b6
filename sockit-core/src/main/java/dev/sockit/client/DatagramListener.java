package dev.sockit.client;

import dev.sockit.io.DatagramPort;
import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.server.ListenException;
import dev.sockit.service.Sink;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@code sockit listen --udp}: a datagram socket, UDP or Unix (a path or an abstract name), bound to an
 * endpoint. It either prints every datagram, prefixed by its sender, or takes the first sender as its
 * one peer, as {@code nc -u -l} does.
 */
public final class DatagramListener implements AutoCloseable {
    /** The UDP socket, or null. */
    private final DatagramChannel channel;
    /** The Unix datagram socket, or null. */
    private final UnixDatagramSocket unix;
    private final DatagramPort port;
    private final Endpoint requested;
    private final Endpoint bound;

    private DatagramListener(DatagramChannel channel, UnixDatagramSocket unix, Endpoint requested, Endpoint bound) {
        this.channel = channel;
        this.unix = unix;
        this.port = channel != null ? DatagramPort.of(channel) : unix;
        this.requested = requested;
        this.bound = bound;
    }

    public static DatagramListener bind(Endpoint endpoint) throws ListenException {
        UnsupportedTransportException.check(Transport.UDP, endpoint);
        if (endpoint instanceof Endpoint.Unix u) {
            dev.sockit.server.SocketFiles.prepare(Transport.UDP, u); // as serve: a missing directory named, a stale file replaced, any other file left
            try {
                UnixDatagramSocket s = UnixDatagramSocket.bind(UnixSocketAddress.of(u));
                return new DatagramListener(null, s, u, s.localAddress().toEndpoint());
            } catch (IOException e) {
                throw ListenException.of(Transport.UDP, endpoint, e);
            }
        }
        DatagramChannel ch = null;
        try {
            SocketAddress address = endpoint.toSocketAddress();
            // An IPv4 address (0.0.0.0 above all) gets an IPv4 socket: a dual-stack one would take 0.0.0.0 for [::].
            // :PORT, whose address the JDK also writes as 0.0.0.0, is every address: the dual-stack socket.
            boolean ipv4 = endpoint instanceof Endpoint.Inet i && !i.isWildcard()
                    && address instanceof InetSocketAddress a && a.getAddress() instanceof Inet4Address;
            ch = ipv4 ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(address);
            return new DatagramListener(ch, null, endpoint, Endpoint.of(ch.getLocalAddress()));
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // failed anyway
                }
            }
            throw ListenException.of(Transport.UDP, endpoint, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
    }

    public Endpoint endpoint() {
        return bound;
    }

    /** Prints each datagram, prefixed by its sender, until closed (the sink service over datagrams). */
    public void printEach(Sink.Printer printer) throws IOException {
        var sink = Sink.datagram(printer);
        ByteBuffer buf = ByteBuffer.allocate(UnixDatagramSocket.MAX_DATAGRAM);
        while (true) {
            DatagramPort.Received r;
            try {
                r = port.receive(buf.clear());
            } catch (ClosedChannelException e) {
                return;
            }
            sink.answer(buf.flip(), Addresses.format(r.sender()));
        }
    }

    /** Copies each datagram's bytes, as they are, to {@code out}, until closed. */
    public void copyEach(OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(UnixDatagramSocket.MAX_DATAGRAM);
        while (true) {
            try {
                port.receive(buf.clear());
            } catch (ClosedChannelException e) {
                return;
            }
            Relay.writeOut(out, buf.array(), 0, buf.position());
        }
    }

    /**
     * The first datagram and who sent it, and a link to that sender for the rest of the exchange, unless
     * it cannot be answered: a Unix datagram socket that was never bound has no address to send to.
     */
    public record First(Optional<DatagramLink> link, String sender, byte[] payload) {
    }

    /**
     * Waits for the first datagram, then connects to its sender: later datagrams from others are ignored
     * (UDP) or refused by the kernel (Unix).
     */
    public First awaitFirst(Duration replyTimeout) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(UnixDatagramSocket.MAX_DATAGRAM);
        DatagramPort.Received r = port.receive(buf);
        byte[] payload = Arrays.copyOf(buf.array(), buf.position());
        String sender = Addresses.format(r.sender());
        if (channel != null) {
            InetSocketAddress from = (InetSocketAddress) r.sender();
            channel.connect(from);
            return new First(Optional.of(DatagramLink.adopt(channel, from, replyTimeout)), sender, payload);
        }
        UnixSocketAddress from = (UnixSocketAddress) r.sender();
        if (from.isUnnamed()) {
            return new First(Optional.empty(), sender, payload);
        }
        unix.connect(from);
        unix.setSendTimeout(replyTimeout.isZero() ? ClientOptions.DEFAULT_TIMEOUT : replyTimeout);
        return new First(Optional.of(DatagramLink.adopt(unix, replyTimeout)), sender, payload);
    }

    /** Stops listening; a Unix socket's file is removed. */
    @Override
    public void close() throws IOException {
        port.close();
        if (requested instanceof Endpoint.Unix u && !u.abstractName()) {
            Files.deleteIfExists(u.file());
        }
    }
}
