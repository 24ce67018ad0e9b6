package dev.sockit.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which clients a server serves, by IP address: xinetd's {@code only_from} and {@code no_access}.
 * With no block allowed, every address is allowed but the denied; with some, only the allowed are.
 * An address in both an allowed and a denied block goes by the narrower block (the longer prefix):
 * {@code allow 10.0.0.0/8, deny 10.1.0.0/16} keeps 10.1.x.x out of the rest of 10/8, and
 * {@code deny 10.0.0.0/8, allow 10.1.2.3} lets that one host in (and, since something is allowed,
 * no address outside the allowed blocks). Where the two blocks are the same size, deny wins.
 *
 * <p>Only IP peers are judged: a Unix-domain peer is a local process, which the socket file's
 * permissions govern ({@code --socket-mode}); an abstract name ({@code unix:@name}) has no file, and
 * every process of the network namespace may connect to it.
 */
public record AccessList(List<AddressBlock> allowed, List<AddressBlock> denied) {
    /** No restriction at all. */
    public static final AccessList OPEN = new AccessList(List.of(), List.of());

    public AccessList {
        allowed = List.copyOf(allowed);
        denied = List.copyOf(denied);
    }

    /** Whether this list turns any address away. */
    public boolean isOpen() {
        return allowed.isEmpty() && denied.isEmpty();
    }

    /** Whether a client at {@code a} may be served. */
    public boolean allows(InetAddress a) {
        int allow = narrowest(allowed, a);
        int deny = narrowest(denied, a);
        if (deny >= 0 && deny >= allow) {
            return false;
        }
        return allowed.isEmpty() || allow >= 0;
    }

    /** Whether a peer at {@code peer} may be served: an IP peer by its address, any other (a Unix socket) always. */
    public boolean allows(SocketAddress peer) {
        if (isOpen() || !(peer instanceof InetSocketAddress inet)) {
            return true;
        }
        return inet.getAddress() != null && allows(inet.getAddress()); // an unresolved address is no address: refused
    }

    /** The longest prefix among {@code blocks} that holds {@code a}; -1 if none does. */
    private static int narrowest(List<AddressBlock> blocks, InetAddress a) {
        int best = -1;
        for (AddressBlock b : blocks) {
            if (b.prefix() > best && b.contains(a)) {
                best = b.prefix();
            }
        }
        return best;
    }

    /** {@code only from 10.0.0.0/8, not from 10.1.0.0/16}: what the server says at start. */
    @Override
    public String toString() {
        if (isOpen()) {
            return "from any address";
        }
        String only = allowed.isEmpty() ? "from any address" : "only from " + join(allowed);
        return denied.isEmpty() ? only : only + ", not from " + join(denied);
    }

    private static String join(List<AddressBlock> blocks) {
        return blocks.stream().map(AddressBlock::toString).collect(Collectors.joining(", "));
    }
}
