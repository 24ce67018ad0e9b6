package dev.sockit.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;

/** A UDP client for tests: sends, waits for a reply with a timeout, or checks without waiting that none is queued. */
final class UdpPeer implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocate(70_000);

    private UdpPeer(DatagramChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** A peer bound to {@code address} (port 0: any). */
    static UdpPeer bind(InetSocketAddress address) throws IOException {
        DatagramChannel ch = DatagramChannel.open(address.getAddress() instanceof java.net.Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            ch.bind(address);
            return new UdpPeer(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    static UdpPeer on(String host) throws IOException {
        return bind(new InetSocketAddress(InetAddress.ofLiteral(host), 0));
    }

    /**
     * Accepts datagrams from {@code peer} only: the kernel drops any other source's, so a reply from
     * another address never arrives. (A connected JDK channel does not send empty datagrams.)
     */
    UdpPeer connect(SocketAddress peer) throws IOException {
        channel.connect(peer);
        return this;
    }

    InetSocketAddress local() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    void send(byte[] data, SocketAddress to) throws IOException {
        int n = channel.send(ByteBuffer.wrap(data), to);
        if (n != data.length) {
            throw new IOException("sent " + n + " of " + data.length + " bytes");
        }
    }

    record Datagram(byte[] data, SocketAddress from) {
    }

    /** The next datagram, waiting up to {@link #WAIT}. */
    Datagram receive() throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Datagram d = pending();
            if (d != null) {
                return d;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no datagram within " + WAIT);
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
        }
    }

    /** A datagram already queued, or null: never waits. */
    Datagram pending() throws IOException {
        buffer.clear();
        SocketAddress from = channel.receive(buffer);
        if (from == null) {
            return null;
        }
        return new Datagram(Arrays.copyOf(buffer.array(), buffer.position()), from);
    }

    byte[] exchange(byte[] request, SocketAddress to) throws IOException {
        send(request, to);
        return receive().data();
    }

    /** Counts the datagrams queued now, taking them. */
    int drain() throws IOException {
        int n = 0;
        while (pending() != null) {
            n++;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
