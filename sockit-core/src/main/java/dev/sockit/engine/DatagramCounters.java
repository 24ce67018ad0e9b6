package dev.sockit.engine;

import dev.sockit.server.DropReason;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A datagram listener's running counts: written by its loop, read by the reporter. Each datagram is
 * counted once it is fully handled (its reply sent), so whoever sees a count knows that datagram is done.
 */
final class DatagramCounters {
    private static final DropReason[] REASONS = DropReason.values();

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);
    private volatile String lastDropped;

    void noReply(int length) {
        bytesIn.addAndGet(length);
        received.incrementAndGet();
    }

    void answered(int length, int replyLength) {
        bytesIn.addAndGet(length);
        bytesOut.addAndGet(replyLength);
        answered.incrementAndGet();
        received.incrementAndGet();
    }

    void dropped(int length, DropReason reason, String sender) {
        lastDropped = sender;
        bytesIn.addAndGet(length);
        dropped.incrementAndGet(reason.ordinal());
        received.incrementAndGet();
    }

    Snapshot snapshot() {
        Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            d.put(r, dropped.get(r.ordinal()));
        }
        return new Snapshot(received.get(), answered.get(), bytesIn.get(), bytesOut.get(), d, lastDropped);
    }

    /** Counts at one moment; {@link #minus} gives what happened between two. */
    record Snapshot(long received, long answered, long bytesIn, long bytesOut, Map<DropReason, Long> dropped, String lastDropped) {
        static final Snapshot ZERO = new Snapshot(0, 0, 0, 0, Map.of(), null);

        Snapshot minus(Snapshot earlier) {
            Map<DropReason, Long> d = new EnumMap<>(DropReason.class);
            dropped.forEach((k, v) -> d.put(k, v - earlier.dropped.getOrDefault(k, 0L)));
            return new Snapshot(received - earlier.received, answered - earlier.answered, bytesIn - earlier.bytesIn,
                    bytesOut - earlier.bytesOut, d, lastDropped);
        }

        long droppedTotal() {
            return dropped.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
