package dev.sockit.engine;

import dev.sockit.server.ServerEvents;

import java.util.concurrent.ConcurrentHashMap;

/**
 * At most so many connections at once from one source (xinetd's {@code per_source}): without it one
 * host can take every slot of the connection limit and hold them in silence. A connection past it
 * is closed as soon as it is accepted; refusals are reported at most once per interval ({@link Refusals}).
 *
 * <p>What one source is ({@link Source}): an IPv4 address, or an IPv6 /64. Unix peers are local
 * processes and are not limited. Shared by all the listeners of an engine and all its threads.
 */
public final class SourceLimit {
    private final int max;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final Refusals refusals;

    /** @param max connections at once from one source; 0 for no limit */
    public SourceLimit(int max, ServerEvents events) {
        this(max, events, Refusals.REPORT_EVERY_NANOS);
    }

    SourceLimit(int max, ServerEvents events, long reportEveryNanos) {
        if (max < 0) {
            throw new IllegalArgumentException("the per-source limit cannot be negative");
        }
        this.max = max;
        this.refusals = new Refusals(events, "from sources that already had " + max + " open (the per-source limit)", reportEveryNanos);
    }

    /** The source of a peer named {@code 192.0.2.7:51234} or {@code [2001:db8::7]:51234}; null for one that is not limited. */
    static String sourceOf(String peer) {
        return Source.ofPeer(peer);
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
            refusals.refused(source);
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

    /** Says the refusals not yet said (at stop). */
    void reportRefusals() {
        refusals.flush();
    }
}
