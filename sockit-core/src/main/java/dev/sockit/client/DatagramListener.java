package dev.sockit.client;

import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.ListenException;
import dev.sockit.service.Sink;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

/**
 * {@code sockit listen --udp}: a UDP socket bound to an endpoint. It either prints every datagram,
 * prefixed by its sender, or takes the first sender as its one peer, as {@code nc -u -l} does.
 */
public final class DatagramListener implements AutoCloseable {
    private final DatagramChannel channel;
    private final Endpoint bound;

    private DatagramListener(DatagramChannel channel, Endpoint bound) {
        this.channel = channel;
        this.bound = bound;
    }

    public static DatagramListener bind(Endpoint endpoint) throws ListenException {
        if (!(endpoint instanceof Endpoint.Inet)) {
            throw new UnsupportedTransportException(Transport.UDP, endpoint);
        }
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(endpoint.toSocketAddress());
            return new DatagramListener(ch, Endpoint.of(ch.getLocalAddress()));
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

    /** Prints each datagram, prefixed by its sender, until closed (the sink service over UDP). */
    public void printEach(Sink.Printer printer) throws IOException {
        var sink = Sink.datagram(printer);
        ByteBuffer buf = ByteBuffer.allocate(DatagramLink.MAX_DATAGRAM);
        while (true) {
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) channel.receive(buf.clear());
            } catch (ClosedChannelException e) {
                return;
            }
            sink.answer(buf.flip(), Addresses.format(from));
        }
    }

    /** The first datagram, and a link to its sender for the rest of the exchange. */
    public record First(DatagramLink link, byte[] payload) {
    }

    /** Waits for the first datagram, then connects to its sender: later datagrams from others are ignored. */
    public First awaitFirst(Duration replyTimeout) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(DatagramLink.MAX_DATAGRAM);
        InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
        buf.flip();
        byte[] payload = new byte[buf.remaining()];
        buf.get(payload);
        channel.connect(from);
        return new First(DatagramLink.adopt(channel, from, replyTimeout), payload);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
