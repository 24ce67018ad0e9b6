package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;

/** What an IP listener binds (serve's, listen's, keepalive's): its address, and a socket of the right family for it. */
public final class BindAddress {
    private BindAddress() {
    }

    /**
     * The address to bind {@code endpoint} to. A host name that does not resolve, or a bad address,
     * is an error here: the JDK would fail a TCP bind without a message, and bind UDP to the wildcard.
     */
    public static InetSocketAddress of(Transport t, Endpoint.Inet endpoint) throws ListenException {
        String where = "cannot listen on " + t.label(endpoint) + " " + endpoint + " — ";
        InetSocketAddress a;
        try {
            a = endpoint.toSocketAddress();
        } catch (IllegalArgumentException e) {
            throw new ListenException(where + "'" + endpoint.host() + "' is not a valid IP address", ListenException.Reason.NO_SUCH_ADDRESS, null);
        }
        if (a.isUnresolved()) {
            throw new ListenException(where + "cannot resolve '" + endpoint.host()
                    + "' (use an address of this machine, or :PORT for all)", ListenException.Reason.NO_SUCH_ADDRESS, null);
        }
        return a;
    }

    /**
     * A listening socket for {@code endpoint} (bound later to {@code address}, its {@link #of}) of
     * the address's own family, so that 0.0.0.0 means IPv4 only, as it does for UDP (the JDK's default
     * socket is IPv6 and binds 0.0.0.0 as [::], both families); only :PORT, every address, is dual-stack.
     */
    public static ServerSocketChannel openTcp(Endpoint.Inet endpoint, InetSocketAddress address) throws IOException {
        if (endpoint.isWildcard()) {
            return ServerSocketChannel.open();
        }
        return ServerSocketChannel.open(address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
    }
}
