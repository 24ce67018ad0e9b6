package dev.sockit.server;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a datagram listener did over a period: the datagram equivalent of a connection's log line.
 * Datagram listeners do not log each datagram (a flood would flood the log); they report counts at
 * most once per report interval, and their totals when the server stops.
 *
 * @param period  how long the counts cover
 * @param totals  true for the record sent on stop, which covers the listener's whole life
 * @param dropped how many were not answered, by reason (reasons with none are left out)
 */
public record DatagramRecord(Listener listener, Duration period, boolean totals, long received, long answered,
                             long bytesIn, long bytesOut, Map<DropReason, Long> dropped) {
    public DatagramRecord {
        EnumMap<DropReason, Long> m = new EnumMap<>(DropReason.class);
        dropped.forEach((k, v) -> {
            if (v != 0) {
                m.put(k, v);
            }
        });
        dropped = Collections.unmodifiableMap(m);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    /** {@code source-rate=490 source-port=5}, or empty when nothing was dropped. */
    public String droppedText() {
        return dropped.entrySet().stream().map(e -> e.getKey().label() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }
}
