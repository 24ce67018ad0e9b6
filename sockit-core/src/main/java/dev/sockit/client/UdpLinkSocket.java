package dev.sockit.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;

/** A UDP socket connected to its peer: the kernel passes on datagrams from that peer only. */
final class UdpLinkSocket implements LinkSocket {
    private final DatagramChannel channel;
    private final InetSocketAddress peer;

    UdpLinkSocket(DatagramChannel connected, InetSocketAddress peer) {
        this.channel = connected;
        this.peer = peer;
    }

    static UdpLinkSocket open(InetSocketAddress peer) throws IOException {
        DatagramChannel ch = DatagramChannel.open(peer.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.connect(peer);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new UdpLinkSocket(ch, peer);
    }

    @Override
    public void send(ByteBuffer datagram) throws IOException {
        channel.write(datagram);
    }

    /** @throws java.net.PortUnreachableException when the peer's host said nothing listens on that port */
    @Override
    public byte[] receive(Duration wait) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[DatagramLink.MAX_DATAGRAM], DatagramLink.MAX_DATAGRAM);
        channel.socket().setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, wait.toMillis())));
        try {
            channel.socket().receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    @Override
    public SocketAddress peer() {
        return peer;
    }

    @Override
    public String transport() {
        return "udp";
    }

    @Override
    public boolean blocksInNativeCode() {
        return false;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
