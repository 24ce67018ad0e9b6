package dev.sockit.client;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** Turns the JDK's socket errors into the few words a user reads in a list of failed addresses. */
final class Reasons {
    private Reasons() {
    }

    /**
     * Why a Unix socket could not be reached, knowing what kind of socket we are: a socket of the other
     * kind at a path (stream where datagram was meant, or the reverse) is named as such, and a refusal
     * says what it means for a path and for an abstract name.
     */
    static String of(IOException e, Endpoint.Unix endpoint, Transport transport) {
        if (String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("protocol wrong type")) {
            return transport == Transport.UDP
                    ? "a stream socket is there, not a datagram socket (drop --udp)"
                    : "a datagram socket is there, not a stream socket (use --udp)";
        }
        String reason = of(e);
        if (reason.equals("refused")) {
            // Linux looks abstract names up by socket type too: a name bound by a socket of the other
            // kind is not found at all, so here a refusal also covers the wrong kind.
            if (endpoint.abstractName()) {
                return transport == Transport.UDP ? "refused (no datagram socket is bound to that abstract name)"
                        : "refused (no stream socket listens on that abstract name)";
            }
            if (java.nio.file.Files.exists(endpoint.file()) && !dev.sockit.server.SocketFiles.isSocket(endpoint.file())) {
                return "refused (" + endpoint.path() + " is not a socket)";
            }
            return "refused (nothing is bound to that socket file; a server that died may have left it behind)";
        }
        return reason;
    }

    static String of(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        String m = String.valueOf(e.getMessage());
        String l = m.toLowerCase(Locale.ROOT);
        if (l.contains("refused")) {
            return "refused";
        }
        if (l.contains("no route to host")) {
            return "unreachable (no route to host)";
        }
        if (l.contains("network is unreachable")) {
            return "unreachable (no route to that network)";
        }
        if (l.contains("timed out")) {
            return "timed out";
        }
        if (l.contains("cannot assign requested address")) {
            return "unreachable (no local address of that family)";
        }
        if (l.contains("protocol family unavailable") || l.contains("address family not supported")) {
            return "unreachable (this machine has no IPv6)";
        }
        if (l.contains("reset")) {
            return "reset by peer";
        }
        if (l.contains("broken pipe")) {
            return "peer went away (broken pipe)";
        }
        if (l.contains("no such file")) {
            return "no such socket file";
        }
        if (l.contains("operation not permitted")) {
            return "not permitted (it is connected to another peer)";
        }
        if (l.contains("permission denied")) {
            return "permission denied";
        }
        return m;
    }
}
