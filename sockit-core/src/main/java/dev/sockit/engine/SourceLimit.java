package dev.sockit.engine;

import dev.sockit.net.Addresses;
import dev.sockit.server.ServerEvents;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * At most so many connections at once from one source (xinetd's {@code per_source}): without it one
 * host can take every slot of the connection limit and hold them in silence. A connection past it
 * is closed as soon as it is accepted; refusals are reported at most once per interval, as a flood
 * of them would otherwise flood the log too.
 *
 * <p>A source is an IPv4 peer's address ({@code 192.0.2.7}) and an IPv6 peer's /64 network
 * ({@code 2001:db8::/64}): a host is commonly given a whole /64 and may pick any address in it, so
 * counting IPv6 addresses one by one would limit nothing. The hosts of one LAN share its /64 as the
 * hosts behind a NAT share its IPv4 address. Link-local and loopback peers count by their address
 * (every link is fe80::/64), and a NAT64 peer (64:ff9b::/96) by the IPv4 address inside it. Unix
 * peers are local processes and are not limited. Shared by all the listeners of an engine and all
 * its threads.
 */
public final class SourceLimit {
    private static final long REPORT_EVERY_NANOS = 10_000_000_000L;
    /** RFC 6052's well-known prefix, 64:ff9b::/96, under which NAT64 gives each IPv4 host an address. */
    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

    private final int max;
    private final ServerEvents events;
    private final long reportEvery;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private long unreported;
    private String lastRefused;
    private long lastReport;
    /** Refusals wait for a report at the end of the interval: one is scheduled. */
    private boolean reportScheduled;

    /** @param max connections at once from one source; 0 for no limit */
    public SourceLimit(int max, ServerEvents events) {
        this(max, events, REPORT_EVERY_NANOS);
    }

    SourceLimit(int max, ServerEvents events, long reportEveryNanos) {
        if (max < 0) {
            throw new IllegalArgumentException("the per-source limit cannot be negative");
        }
        this.max = max;
        this.events = events;
        this.reportEvery = reportEveryNanos;
        this.lastReport = System.nanoTime() - reportEveryNanos;
    }

    /** The source of a peer named {@code 192.0.2.7:51234} or {@code [2001:db8::7]:51234}; null for one that is not limited. */
    static String sourceOf(String peer) {
        if (peer.startsWith("unix:")) {
            return null;
        }
        int colon = peer.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String address = peer.substring(0, colon);
        return address.startsWith("[") && address.endsWith("]") ? network64(address.substring(1, address.length() - 1)) : address;
    }

    /** {@code 2001:db8::/64} for {@code 2001:db8::7}; see the class comment for the exceptions. */
    private static String network64(String literal) {
        int zone = literal.indexOf('%');
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(zone < 0 ? literal : literal.substring(0, zone));
        } catch (IllegalArgumentException e) {
            return "[" + literal + "]"; // not a literal after all: count it as it is
        }
        byte[] b = address.getAddress();
        if (b.length != 16) {
            return Addresses.format(address); // IPv4-mapped: the IPv4 address
        }
        if (address.isLinkLocalAddress() || address.isLoopbackAddress()) {
            return literal;
        }
        try {
            if (Arrays.equals(b, 0, 12, NAT64, 0, 12)) {
                return Addresses.format(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
            }
            Arrays.fill(b, 8, 16, (byte) 0);
            return Addresses.format(InetAddress.getByAddress(b)) + "/64";
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }

    /**
     * Counts a newly accepted connection from {@code peer} if its source is under the limit: true
     * when it may be served (then {@link #leave} must follow when it ends), false when it must be
     * closed at once (reported here).
     */
    public boolean enter(String peer) {
        if (max == 0) {
            return true;
        }
        String source = sourceOf(peer);
        if (source == null) {
            return true;
        }
        boolean[] admitted = {false};
        open.compute(source, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        if (!admitted[0]) {
            refused(source);
        }
        return admitted[0];
    }

    /** A connection {@link #enter} admitted has ended. */
    public void leave(String peer) {
        if (max == 0) {
            return;
        }
        String source = sourceOf(peer);
        if (source != null) {
            open.computeIfPresent(source, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /** Sources with connections open now (for tests). */
    int sources() {
        return open.size();
    }

    /**
     * Counts a refusal: said at once if nothing was said for an interval, else at the interval's end
     * (a timer, so that the last of a burst is said too). The warning goes out outside the lock: a
     * slow log must not hold up the loops that refuse meanwhile.
     */
    private void refused(String source) {
        String message = null;
        long delay = 0;
        synchronized (this) {
            unreported++;
            lastRefused = source;
            long now = System.nanoTime();
            if (now - lastReport >= reportEvery) {
                message = report(now);
            } else if (!reportScheduled) {
                reportScheduled = true;
                delay = lastReport + reportEvery - now;
            }
        }
        if (message != null) {
            events.warning(message);
        } else if (delay > 0) {
            CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(this::reportPending);
        }
    }

    private void reportPending() {
        String message;
        synchronized (this) {
            reportScheduled = false;
            message = unreported > 0 ? report(System.nanoTime()) : null;
        }
        if (message != null) {
            events.warning(message);
        }
    }

    private String report(long now) {
        String message = "refused " + unreported + " connection(s) from sources that already had " + max
                + " open (the per-source limit), the last from " + lastRefused;
        lastReport = now;
        unreported = 0;
        return message;
    }
}
