package dev.sockit.engine;

/**
 * How a datagram server guards against being used as an amplifier or a loop (CERT CA-1996-01,
 * CVE-1999-0103, the 2024 "Loop DoS" CVE-2024-2169): which senders it never answers, and how many
 * replies it sends, per source and in all.
 *
 * @param checkSources   refuse to answer source ports below 1024 (and 0) and broadcast, multicast or unspecified sources
 * @param perSourceRate  replies per second to one source (an IP address, or an IPv6 /64, whatever the port); 0 for no limit
 * @param perSourceBurst replies a quiet source may get at once
 * @param globalRate     replies per second to all sources together; 0 for no limit
 * @param globalBurst    replies the server may send at once after a quiet spell
 * @param maxSources     how many sources are tracked at once: the bound on the limiter's memory
 */
public record ReplyLimits(boolean checkSources, double perSourceRate, int perSourceBurst,
                          double globalRate, int globalBurst, int maxSources) {
    public ReplyLimits {
        if (perSourceRate < 0 || globalRate < 0) {
            throw new IllegalArgumentException("a reply rate cannot be negative");
        }
        if (perSourceBurst < 1 || globalBurst < 1) {
            throw new IllegalArgumentException("a reply burst must be at least 1");
        }
        if (maxSources < 1) {
            throw new IllegalArgumentException("the source table must hold at least 1 source");
        }
    }

    /** Safe to expose: sources checked, 20 replies/s per source (bursts of 40), 2000 replies/s in all, 10,000 sources tracked. */
    public static ReplyLimits defaults() {
        return new ReplyLimits(true, 20, 40, 2000, 2000, 10_000);
    }

    /** No checks and no limits: for a trusted network or a test bench. (The table size is the default's, for limits built on this.) */
    public static ReplyLimits none() {
        return new ReplyLimits(false, 0, 1, 0, 1, defaults().maxSources());
    }

    public ReplyLimits withCheckSources(boolean on) {
        return new ReplyLimits(on, perSourceRate, perSourceBurst, globalRate, globalBurst, maxSources);
    }

    public ReplyLimits withPerSource(double rate, int burst) {
        return new ReplyLimits(checkSources, rate, burst, globalRate, globalBurst, maxSources);
    }

    public ReplyLimits withGlobal(double rate, int burst) {
        return new ReplyLimits(checkSources, perSourceRate, perSourceBurst, rate, burst, maxSources);
    }

    public ReplyLimits withMaxSources(int n) {
        return new ReplyLimits(checkSources, perSourceRate, perSourceBurst, globalRate, globalBurst, n);
    }

    public boolean perSourceLimited() {
        return perSourceRate > 0;
    }

    public boolean globallyLimited() {
        return globalRate > 0;
    }
}
