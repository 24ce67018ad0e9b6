package dev.sockit.cli.bench;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Everything one bench run is told.
 *
 * @param target      where to connect (an IP or Unix-domain address)
 * @param shown       the target as the user wrote it, for the report
 * @param udp         datagrams instead of a stream (pingpong only)
 * @param service     what the target serves: decides what a correct reply is
 * @param connections connections (or datagram sockets) at once
 * @param size        message size (pingpong) or write size (stream)
 * @param duration    how long the measured part lasts
 * @param warmup      how long the load runs before measuring starts
 * @param rate        messages (pingpong) or connections (connrate) per second over all connections; 0 for as fast as possible
 * @param sources     local addresses to connect from, spread over the connections (empty: the kernel chooses)
 * @param verify      check every reply's content
 * @param timeout     how long a reply may take before it counts as lost (UDP) or the connection as stuck; also the end's grace
 * @param threads     what runs each connection's loop
 */
public record Plan(SocketAddress target, String shown, boolean udp, Mode mode, String service, int connections, int size,
                   Duration duration, Duration warmup, double rate, List<SocketAddress> sources, boolean verify,
                   Duration timeout, Threads threads) {

    /**
     * What drives each connection. Platform threads block in the kernel with no hand-off to a poller,
     * quickest for a few connections; selectors are cheapest for many (unpaced TCP pingpong only).
     */
    public enum Threads { AUTO, PLATFORM, VIRTUAL, SELECTOR }

    public Plan {
        sources = List.copyOf(sources);
    }

    /** The source address for connection {@code index}, or null to let the kernel choose. */
    SocketAddress source(int index) {
        return sources.isEmpty() ? null : sources.get(index % sources.size());
    }

    boolean platformThreads() {
        return switch (threads) {
            case PLATFORM -> true;
            case VIRTUAL, SELECTOR -> false;
            case AUTO -> connections <= 8;
        };
    }

    /** Pingpong on selectors: asked for, or chosen for many unpaced TCP connections. */
    boolean selector() {
        boolean fits = mode == Mode.PINGPONG && !udp && rate == 0;
        return fits && (threads == Threads.SELECTOR || (threads == Threads.AUTO && connections > 8));
    }

    /** Nanoseconds between two sends of one connection for the requested rate, or 0 for no pacing. */
    long intervalNanos() {
        return rate > 0 ? Math.max(1, Math.round(1e9 * connections / rate)) : 0;
    }
}
