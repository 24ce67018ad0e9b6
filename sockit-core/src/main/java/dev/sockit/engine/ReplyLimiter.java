package dev.sockit.engine;

import dev.sockit.server.DropReason;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Token buckets on replies: one per source, in a table of bounded size, and one for the whole server.
 * Shared by all of a server's datagram listeners, since a victim of reflection is hurt by the sum of
 * what every service sends it.
 *
 * <p>The table never holds more than {@link ReplyLimits#maxSources()} sources. A new source takes the
 * place of the least recently seen one if that one's bucket has refilled (forgetting a full bucket
 * loses nothing: a new one starts full). When every tracked source is still busy, as under a flood of
 * spoofed sources, the newcomers share one overflow bucket, so a flood from countless addresses gets
 * one source's worth of replies, not countless.
 */
final class ReplyLimiter {
    private final ReplyLimits limits;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Object, TokenBucket> sources = new LinkedHashMap<>(64, 0.75f, true);
    private final TokenBucket overflow;
    private final TokenBucket global;

    ReplyLimiter(ReplyLimits limits, LongSupplier clock) {
        this.limits = limits;
        this.clock = clock;
        long now = clock.getAsLong();
        this.overflow = new TokenBucket(limits.perSourceBurst(), limits.perSourceRate(), now);
        this.global = new TokenBucket(limits.globalBurst(), limits.globalRate(), now);
    }

    /** Takes a reply token for {@code source}, or says which limit refuses it. */
    Optional<DropReason> admit(Object source) {
        if (!limits.perSourceLimited() && !limits.globallyLimited()) {
            return Optional.empty();
        }
        lock.lock();
        try {
            long now = clock.getAsLong();
            TokenBucket mine = limits.perSourceLimited() ? bucketOf(source, now) : null;
            if (mine != null && !mine.available(now)) {
                return Optional.of(DropReason.SOURCE_RATE);
            }
            if (limits.globallyLimited() && !global.available(now)) {
                return Optional.of(DropReason.GLOBAL_RATE);
            }
            if (mine != null) {
                mine.take();
            }
            if (limits.globallyLimited()) {
                global.take();
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private TokenBucket bucketOf(Object source, long now) {
        TokenBucket b = sources.get(source);
        if (b != null) {
            return b;
        }
        if (sources.size() >= limits.maxSources()) {
            Iterator<Map.Entry<Object, TokenBucket>> eldest = sources.entrySet().iterator();
            if (!eldest.next().getValue().full(now)) {
                return overflow;
            }
            eldest.remove();
        }
        b = new TokenBucket(limits.perSourceBurst(), limits.perSourceRate(), now);
        sources.put(source, b);
        return b;
    }

    /** How many sources are tracked now (for tests of the bound). */
    int tracked() {
        lock.lock();
        try {
            return sources.size();
        } finally {
            lock.unlock();
        }
    }
}
