package dev.sockit.client;

import dev.sockit.net.SocketOptions;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connects to the first of several addresses that answers, as RFC 8305 (Happy Eyeballs v2) asks:
 * addresses are tried in {@link #interleave interleaved} order; each attempt gets a head start of
 * the attempt delay before the next one begins, or less if it fails sooner; the first connection
 * wins and every other attempt is closed.
 *
 * <p>One thread and one selector drive every attempt: no attempt ever blocks another.
 */
public final class HappyEyeballs {
    /** RFC 8305 §5 recommends 250 ms. */
    public static final Duration DEFAULT_ATTEMPT_DELAY = Duration.ofMillis(250);

    private final Duration attemptDelay;
    private final Duration timeout;
    private final SocketOptions socketOptions;

    /**
     * @param attemptDelay how long an attempt runs alone before the next address is tried too
     * @param timeout      how long the whole connect may take
     */
    public HappyEyeballs(Duration attemptDelay, Duration timeout) {
        this(attemptDelay, timeout, SocketOptions.DEFAULTS);
    }

    /** @param socketOptions set on each socket before it connects (keepalive, nodelay, buffers, linger) */
    public HappyEyeballs(Duration attemptDelay, Duration timeout, SocketOptions socketOptions) {
        if (attemptDelay.isNegative()) {
            throw new IllegalArgumentException("attempt delay must not be negative");
        }
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        this.attemptDelay = attemptDelay;
        this.timeout = timeout;
        this.socketOptions = socketOptions;
    }

    /** The connection that won, and what became of every address. */
    public record Connected(SocketChannel channel, InetSocketAddress address, List<Attempt> attempts) {
    }

    /**
     * RFC 8305 §4: IPv6 first (the "first address family count" is one), then alternate families,
     * keeping the order the name service gave within each family.
     */
    public static List<InetAddress> interleave(List<InetAddress> addresses) {
        Deque<InetAddress> v6 = new ArrayDeque<>();
        Deque<InetAddress> v4 = new ArrayDeque<>();
        for (InetAddress a : addresses) {
            (a instanceof Inet6Address ? v6 : v4).add(a);
        }
        List<InetAddress> out = new ArrayList<>(addresses.size());
        boolean six = !v6.isEmpty();
        while (!v6.isEmpty() || !v4.isEmpty()) {
            Deque<InetAddress> from = six ? v6 : v4;
            if (from.isEmpty()) {
                from = six ? v4 : v6;
            }
            out.add(from.poll());
            six = !six;
        }
        return out;
    }

    /**
     * Connects to one of {@code addresses}, tried in the order given (see {@link #interleave}).
     *
     * @param what how the target is named in the error, e.g. {@code tcp localhost:7}
     * @return the connected channel, in blocking mode
     * @throws ConnectFailedException when no address could be reached; it lists every one and why
     */
    public Connected connect(List<InetSocketAddress> addresses, String what) throws IOException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to connect to");
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<InetSocketAddress, Attempt> outcomes = new LinkedHashMap<>();
        Map<SelectionKey, InetSocketAddress> pending = new LinkedHashMap<>();
        SocketChannel winner = null;
        InetSocketAddress winnerAddress = null;
        try (Selector selector = Selector.open()) {
            int next = 0;
            long nextStart = start;
            while (winner == null) {
                long now = System.nanoTime();
                if (next < addresses.size() && (now - nextStart >= 0 || pending.isEmpty())) {
                    InetSocketAddress a = addresses.get(next++);
                    nextStart = now + attemptDelay.toNanos();
                    SocketChannel ch = start(a, selector, pending, outcomes);
                    if (ch != null) {
                        winner = ch;
                        winnerAddress = a;
                    } else if (outcomes.containsKey(a)) {
                        nextStart = now; // it failed at once: the next address need not wait
                    }
                    continue;
                }
                if (pending.isEmpty()) {
                    break; // every address was tried and failed
                }
                if (now - deadline >= 0) {
                    String why = "timed out after " + Durations.show(timeout);
                    pending.values().forEach(a -> outcomes.put(a, Attempt.failed(a, why)));
                    pending.keySet().forEach(HappyEyeballs::closeQuietly);
                    pending.clear();
                    for (int i = next; i < addresses.size(); i++) {
                        outcomes.put(addresses.get(i), Attempt.failed(addresses.get(i), "not tried (" + why + " before its turn)"));
                    }
                    break;
                }
                long until = next < addresses.size() ? Math.min(nextStart - now, deadline - now) : deadline - now;
                selector.select(Math.max(1, (until + 999_999) / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    InetSocketAddress a = pending.remove(key);
                    SocketChannel ch = (SocketChannel) key.channel();
                    try {
                        if (ch.finishConnect()) {
                            key.cancel();
                            if (winner == null) {
                                winner = ch;
                                winnerAddress = a;
                            } else {
                                ch.close(); // two finished in the same select: the first one listed wins
                                outcomes.put(a, new Attempt(a, Attempt.Outcome.ABANDONED, ""));
                            }
                        } else {
                            pending.put(key, a);
                        }
                    } catch (IOException e) {
                        closeQuietly(key);
                        outcomes.put(a, Attempt.failed(a, Reasons.of(e)));
                        nextStart = System.nanoTime(); // RFC 8305 §5: a failure starts the next attempt at once
                    }
                }
                selector.selectedKeys().clear();
            }
            for (Map.Entry<SelectionKey, InetSocketAddress> p : pending.entrySet()) {
                closeQuietly(p.getKey());
                outcomes.put(p.getValue(), new Attempt(p.getValue(), Attempt.Outcome.ABANDONED, ""));
            }
        } catch (IOException | RuntimeException e) {
            pending.keySet().forEach(HappyEyeballs::closeQuietly);
            if (winner != null) {
                winner.close();
            }
            throw e;
        }
        if (winner == null) {
            throw new ConnectFailedException("cannot connect to " + what, ordered(addresses, outcomes));
        }
        outcomes.put(winnerAddress, new Attempt(winnerAddress, Attempt.Outcome.CONNECTED, ""));
        winner.configureBlocking(true); // the selector is closed, so the channel is deregistered
        return new Connected(winner, winnerAddress, ordered(addresses, outcomes));
    }

    /** Starts one attempt; returns the channel if it connected at once, else registers it or records its failure. */
    private SocketChannel start(InetSocketAddress a, Selector selector, Map<SelectionKey, InetSocketAddress> pending,
                                       Map<InetSocketAddress, Attempt> outcomes) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(a.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            socketOptions.applyTo(ch, true); // before connecting: the SYN already offers the buffers' window
            ch.configureBlocking(false);
            if (ch.connect(a)) {
                return ch;
            }
            pending.put(ch.register(selector, SelectionKey.OP_CONNECT), a);
        } catch (IOException | UnsupportedOperationException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // it failed anyway
                }
            }
            outcomes.put(a, Attempt.failed(a, e instanceof IOException io ? Reasons.of(io) : "unreachable (this machine has no IPv6)"));
        }
        return null;
    }

    private static List<Attempt> ordered(List<InetSocketAddress> addresses, Map<InetSocketAddress, Attempt> outcomes) {
        List<Attempt> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            Attempt o = outcomes.get(a);
            if (o != null && !out.contains(o)) {
                out.add(o);
            }
        }
        return out;
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // abandoning it anyway
        }
    }
}
