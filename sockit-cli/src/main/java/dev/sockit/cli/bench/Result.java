package dev.sockit.cli.bench;

import org.HdrHistogram.Histogram;

/**
 * The figures of one run, over the measured window (the warm-up left out). Errors and mismatches
 * count over the whole run: a wrong byte is wrong whenever it came.
 *
 * @param seconds       the measured window's real length
 * @param latency       nanoseconds per operation (round trip, or connect-to-close), empty for stream and idle
 * @param cpuSeconds    this process's own CPU time (user + system) in the window
 * @param serverCpuSeconds the server's CPU time in the window (with --server-pid), else NaN
 * @param othersCpuSeconds CPU time the rest of the machine used in the window (with --server-pid: programs
 *                      other than the server and this one, a sign of a noisy machine), NaN off Linux
 * @param loopbackBytes what the kernel's loopback interface carried in the window (every program's), or -1
 * @param serverRssKib  the server's resident memory at the end of the window (with --server-pid), else -1
 * @param serverRssBeforeKib the server's resident memory before the first connection, else -1
 */
public record Result(Plan plan, double seconds, long ops, long sent, long received, long lost, long errors, long mismatches,
                     long held, Histogram latency, double cpuSeconds, double serverCpuSeconds, double othersCpuSeconds,
                     long loopbackBytes, long serverRssBeforeKib, long serverRssKib,
                     String firstError, String firstMismatch) {

    public double opsPerSecond() {
        return perSecond(ops);
    }

    /** Megabytes (10^6 bytes) per second. */
    public double sentMBps() {
        return perSecond(sent) / 1e6;
    }

    public double receivedMBps() {
        return perSecond(received) / 1e6;
    }

    /**
     * {@code x} over the measured window; 0 when the window never opened (a run whose connections
     * all failed during the warm-up: a division by next to nothing gave CPU shares in the millions).
     */
    private double perSecond(double x) {
        return seconds <= 0 ? 0 : x / seconds;
    }

    /** This process's CPU use as a share of one core: 1.0 is one core busy all the time. */
    public double cpuShare() {
        return perSecond(cpuSeconds);
    }

    /** The kernel's count of loopback traffic in MB/s (payload and headers, every program's), or NaN. */
    public double loopbackMBps() {
        return loopbackBytes < 0 ? Double.NaN : perSecond(loopbackBytes) / 1e6;
    }

    public double serverCpuShare() {
        return perSecond(serverCpuSeconds);
    }

    /** CPUs' worth of time others used during the run (0.5: half a CPU). */
    public double othersCpuShare() {
        return perSecond(othersCpuSeconds);
    }

    public double latencyMicros(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatencyMicros() {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getMaxValue() / 1000.0;
    }

    public double meanLatencyMicros() {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getMean() / 1000.0;
    }

    /**
     * The server's resident memory per idle connection held, in bytes, or -1 when not measured. Only
     * for idle runs: under load the growth is mostly the JIT and the heap, not the connections.
     */
    public long serverRssPerConnectionBytes() {
        if (plan.mode() != Mode.IDLE || serverRssKib < 0 || serverRssBeforeKib < 0 || held == 0) {
            return -1;
        }
        return (serverRssKib - serverRssBeforeKib) * 1024 / held;
    }

    /** A failed run: replies that were wrong, connections that failed, or nothing done at all. */
    public boolean failed() {
        if (mismatches > 0) {
            return true;
        }
        return switch (plan.mode()) {
            case IDLE -> held == 0;
            case STREAM -> errors > 0 || sent + received == 0;
            default -> errors > 0 || ops == 0;
        };
    }
}
