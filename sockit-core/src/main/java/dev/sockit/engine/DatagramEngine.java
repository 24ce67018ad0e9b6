package dev.sockit.engine;

import dev.sockit.io.DatagramPort;
import dev.sockit.net.AccessList;
import dev.sockit.server.DatagramRecord;
import dev.sockit.server.DropReason;
import dev.sockit.server.Listener;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.DatagramService;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Serves datagram services: one loop per socket ({@link DatagramLoop}) on a thread of its own, a
 * virtual one for JDK channels, a platform one for sockets whose receive blocks in native code. All
 * loops share one {@link ReplyGuard}, so the reply limits hold for the server as a whole.
 *
 * <p>Listeners report through {@link ServerEvents#datagrams} at most once per report interval (and
 * only when datagrams came), their drops through one {@link ServerEvents#warning} per listener per
 * interval, and their totals on {@link #stop()}.
 */
public final class DatagramEngine {
    private static final long JOIN_MILLIS = 2_000;

    private final ServerEvents events;
    private final ReplyGuard guard;
    private final AccessList access;
    private final long reportNanos;
    private final LongSupplier clock;
    private final List<Running> loops = new CopyOnWriteArrayList<>();
    private final Map<DatagramLoop, DatagramCounters.Snapshot> reported = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reporter;
    private volatile Thread reporterThread;
    private final long started;

    private record Running(DatagramLoop loop, Thread thread) {
    }

    /** @param portOffset where the small services are served above their standard ports (--port-offset), for the source check */
    public DatagramEngine(ServerEvents events, ReplyLimits limits, Duration reportEvery, int portOffset) {
        this(events, limits, reportEvery, portOffset, AccessList.OPEN);
    }

    /** @param access the senders whose datagrams are served; the others' are dropped before the service sees them, and counted */
    public DatagramEngine(ServerEvents events, ReplyLimits limits, Duration reportEvery, int portOffset, AccessList access) {
        this(events, limits, reportEvery, portOffset, access, System::nanoTime);
    }

    DatagramEngine(ServerEvents events, ReplyLimits limits, Duration reportEvery, int portOffset, AccessList access, LongSupplier clock) {
        if (reportEvery.isNegative() || reportEvery.isZero()) {
            throw new IllegalArgumentException("the report interval must be positive");
        }
        this.events = events;
        this.access = access;
        this.clock = clock;
        this.guard = new ReplyGuard(limits, limits.checkSources() ? SourceCheck.forThisHost(portOffset) : new SourceCheck(java.util.Set.of()), clock);
        this.reportNanos = reportEvery.toNanos();
        this.started = clock.getAsLong();
        this.reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sockit-datagram-reporter");
            reporterThread = t;
            t.setDaemon(true);
            return t;
        });
        reporter.scheduleAtFixedRate(this::report, reportNanos, reportNanos, TimeUnit.NANOSECONDS);
    }

    /** Serves {@code service} on {@code port} until {@link #stop()}. */
    public void serve(Listener listener, DatagramPort port, DatagramService service) {
        DatagramLoop loop = new DatagramLoop(listener, port, service, guard, access, events);
        Thread.Builder threads = loop.needsPlatformThread() ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
        Thread t = threads.name("sockit " + listener).unstarted(() -> LoopThreads.run(loop));
        loops.add(new Running(loop, t));
        t.start();
    }

    /** Whether the calling thread is one of this engine's (a loop, or the reporter that calls the events). */
    public boolean ownsCurrentThread() {
        Thread current = Thread.currentThread();
        return current == reporterThread || loops.stream().anyMatch(r -> r.thread() == current);
    }

    /** Closes every socket, waits (briefly) for the loops to end, and reports each listener's totals. */
    public void stop() {
        reporter.shutdown();
        for (Running r : loops) {
            r.loop().stop();
        }
        try {
            reporter.awaitTermination(JOIN_MILLIS, TimeUnit.MILLISECONDS); // a report under way finishes first: nothing is told twice
            for (Running r : loops) {
                r.thread().join(JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reportTotals();
    }

    private synchronized void reportTotals() {
        Duration life = Duration.ofNanos(clock.getAsLong() - started);
        for (Running r : loops) {
            DatagramCounters.Snapshot last = reported.getOrDefault(r.loop(), DatagramCounters.Snapshot.ZERO);
            DatagramCounters.Snapshot total = r.loop().counters().snapshot();
            DatagramCounters.Snapshot unreported = total.minus(last);
            if (unreported.droppedTotal() > 0) {
                warnDrops(r.loop().listener(), unreported, "since the last report");
            }
            if (total.received() > 0) {
                events.datagrams(record(r.loop().listener(), life, true, total));
            }
        }
    }

    private synchronized void report() {
        for (Running r : loops) {
            DatagramCounters.Snapshot current = r.loop().counters().snapshot();
            DatagramCounters.Snapshot last = reported.getOrDefault(r.loop(), DatagramCounters.Snapshot.ZERO);
            DatagramCounters.Snapshot delta = current.minus(last);
            if (delta.received() == 0) {
                continue;
            }
            reported.put(r.loop(), current);
            try {
                events.datagrams(record(r.loop().listener(), Duration.ofNanos(reportNanos), false, delta));
                if (delta.droppedTotal() > 0) {
                    warnDrops(r.loop().listener(), delta, "in the last " + seconds(reportNanos));
                }
            } catch (RuntimeException e) {
                // a failing event sink must not stop the reports
            }
        }
    }

    private void warnDrops(Listener l, DatagramCounters.Snapshot s, String when) {
        String reasons = s.dropped().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> e.getValue() + " " + e.getKey().meaning()).collect(Collectors.joining(", "));
        events.warning(l + ": did not answer " + s.droppedTotal() + " of " + s.received() + " datagrams " + when + ": " + reasons
                + (s.lastDropped() != null ? " (latest from " + s.lastDropped() + ")" : ""));
    }

    private static DatagramRecord record(Listener l, Duration period, boolean totals, DatagramCounters.Snapshot s) {
        Map<DropReason, Long> dropped = s.dropped();
        return new DatagramRecord(l, period, totals, s.received(), s.answered(), s.bytesIn(), s.bytesOut(), dropped);
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s == Math.rint(s) ? (long) s + "s" : s + "s";
    }

    /** How many sources the reply limiter tracks (for tests of its bound). */
    int trackedSources() {
        return guard.trackedSources();
    }
}
