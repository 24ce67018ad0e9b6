package dev.sockit.client;

import java.time.Duration;

/** Durations as people write them in messages: 250ms, 10s, 1.5s. */
public final class Durations {
    private Durations() {
    }

    public static String show(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
