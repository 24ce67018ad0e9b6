package dev.sockit.engine;

import dev.sockit.net.UnixSocketAddress;
import dev.sockit.server.DropReason;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Decides whether a reply may go to a sender: it must be answerable, from a sender one may answer
 * ({@link SourceCheck}), and within the reply rates ({@link ReplyLimiter}). One per server.
 *
 * <p>Only IP senders are checked and rate-limited: that is where amplification and loops come from
 * (a forged source address, a victim elsewhere on the network). A Unix datagram sender can only send
 * from a name it has bound itself, so it cannot be forged, and the reply never leaves the machine.
 */
final class ReplyGuard {
    private final ReplyLimits limits;
    private final SourceCheck sources;
    private final ReplyLimiter limiter;

    ReplyGuard(ReplyLimits limits, SourceCheck sources, LongSupplier clock) {
        this.limits = limits;
        this.sources = sources;
        this.limiter = new ReplyLimiter(limits, clock);
    }

    /** Why no reply may go to {@code sender}, or empty if one may (a reply token is then taken). */
    Optional<DropReason> check(SocketAddress sender) {
        if (sender instanceof UnixSocketAddress u) {
            return u.isUnnamed() ? Optional.of(DropReason.UNNAMED_SENDER) : Optional.empty();
        }
        if (limits.checkSources()) {
            Optional<DropReason> bad = sources.check(sender);
            if (bad.isPresent()) {
                return bad;
            }
        }
        // A spoofing host can pick any port, so the rate is per source (an address, or an IPv6 /64), not per address and port.
        // Worked out only when a per-source rate will look at it: this runs for every datagram.
        Object key = limits.perSourceLimited() && sender instanceof InetSocketAddress inet && inet.getAddress() != null
                ? Source.of(inet.getAddress()) : sender;
        return limiter.admit(key);
    }

    int trackedSources() {
        return limiter.tracked();
    }
}
