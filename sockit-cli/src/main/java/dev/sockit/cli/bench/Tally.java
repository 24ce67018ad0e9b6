package dev.sockit.cli.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the workers count while a run goes on. Counters only grow; the run takes snapshots at the
 * start and at the end of the measured window and reports the difference. Latencies are in
 * nanoseconds in one shared recorder, whose interval histogram is taken (and reset) at each edge.
 */
final class Tally {
    final LongAdder ops = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder mismatches = new LongAdder();
    /** Connections open right now (a gauge, not a counter). */
    final AtomicLong open = new AtomicLong();
    /** Idle: connections the server still held at the end. */
    final AtomicLong held = new AtomicLong();
    private final Recorder latency = new Recorder(3);
    private volatile String firstError;
    private volatile String firstMismatch;

    void latency(long nanos) {
        latency.recordValue(Math.max(0, nanos));
    }

    void error(String what) {
        errors.increment();
        if (firstError == null) {
            firstError = what;
        }
    }

    void mismatch(String what) {
        mismatches.increment();
        if (firstMismatch == null) {
            firstMismatch = what;
        }
    }

    String firstError() {
        return firstError;
    }

    String firstMismatch() {
        return firstMismatch;
    }

    /** The latencies recorded since the last call, and a fresh start for the next interval. */
    Histogram takeLatency() {
        return latency.getIntervalHistogram();
    }

    Snapshot snapshot() {
        return new Snapshot(System.nanoTime(), ops.sum(), sent.sum(), received.sum(), lost.sum());
    }

    record Snapshot(long nanos, long ops, long sent, long received, long lost) {
        Snapshot minus(Snapshot base) {
            return new Snapshot(nanos - base.nanos, ops - base.ops, sent - base.sent, received - base.received, lost - base.lost);
        }
    }
}
