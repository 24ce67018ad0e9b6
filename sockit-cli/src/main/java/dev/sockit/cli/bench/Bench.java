package dev.sockit.cli.bench;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs one plan: starts the mode's workers, lets the warm-up pass, measures the window, and makes
 * sure everything stops: each worker ends by itself at the deadline, and whatever is still blocked
 * a timeout later has its socket closed under it.
 */
public final class Bench {
    private final Plan plan;
    private final ServerWatch server;
    private final Consumer<Progress> progress;

    /** A once-a-second look at a run in progress. */
    public record Progress(double elapsedSeconds, boolean warmingUp, double opsPerSecond, double sentMBps, double receivedMBps,
                           long open, long errors) {
    }

    /**
     * @param serverPid the server's process, to read its memory, or 0
     * @param progress  called about once a second while the run goes on (may be a no-op)
     */
    public Bench(Plan plan, long serverPid, Consumer<Progress> progress) {
        this.plan = plan;
        this.server = serverPid > 0 ? ServerWatch.of(serverPid) : null;
        this.progress = progress;
    }

    public Result run() throws InterruptedException {
        Tally tally = new Tally();
        long serverBefore = server != null ? server.rssKib() : -1;
        long start = System.nanoTime();
        Run run = new Run(plan, tally, start);
        List<Thread> workers = Load.of(plan).start(run);

        Tally.Snapshot last = tick(tally, tally.snapshot(), start, run.measureFrom, workers);
        double cpuBase = cpuSeconds();
        double serverCpuBase = server != null ? server.cpuSeconds() : Double.NaN;
        double machineBase = ServerWatch.machineBusySeconds();
        long loopbackBase = ServerWatch.loopbackBytes();
        tick(tally, last, start, run.deadline, workers);
        // At the deadline: what only a moment can tell (CPU, the server's memory while idle
        // connections are still held); then the workers finish the operations they had started.
        long windowEnd = Math.min(System.nanoTime(), run.deadline);
        double cpu = cpuSeconds() - cpuBase;
        double serverCpu = server != null ? server.cpuSeconds() - serverCpuBase : Double.NaN;
        double machine = ServerWatch.machineBusySeconds() - machineBase;
        long loopback = loopbackBase < 0 ? -1 : ServerWatch.loopbackBytes() - loopbackBase;
        // Whatever else kept the machine busy: other programs, or (without --server-pid) the server too.
        double others = Math.max(0, machine - cpu - (Double.isNaN(serverCpu) ? 0 : serverCpu));
        long serverAfter = server != null ? server.rssKib() : -1;
        run.measured.countDown();

        long giveUp = System.nanoTime() + plan.timeout().toNanos();
        for (Thread t : workers) {
            long left = giveUp - System.nanoTime();
            if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                break;
            }
        }
        run.abort();
        for (Thread t : workers) {
            t.join(Duration.ofSeconds(5));
        }
        Tally.Snapshot end = tally.snapshot();
        return new Result(plan, Math.max(0, windowEnd - run.measureFrom) / 1e9, end.ops(), end.sent(), end.received(), end.lost(),
                tally.errors.sum(), tally.mismatches.sum(), tally.held.get(), tally.takeLatency(), cpu, serverCpu, others,
                loopback, serverBefore, serverAfter, tally.firstError(), tally.firstMismatch());
    }

    /**
     * Waits until {@code until}, reporting progress about once a second; returns the last snapshot
     * taken. Returns early when every worker has ended (all connections refused, say).
     */
    private Tally.Snapshot tick(Tally tally, Tally.Snapshot last, long start, long until, List<Thread> workers) throws InterruptedException {
        long now;
        while ((now = System.nanoTime()) - until < 0 && workers.stream().anyMatch(Thread::isAlive)) {
            long nextTick = last.nanos() + 1_000_000_000L;
            long wake = Math.min(Math.min(until, nextTick), now + 100_000_000L);
            Thread.sleep(Duration.ofNanos(Math.max(1, wake - now))); // a clock (and a look at the workers), not a synchronisation
            Tally.Snapshot s = tally.snapshot();
            if (s.nanos() - nextTick >= 0) {
                Tally.Snapshot d = s.minus(last);
                double secs = d.nanos() / 1e9;
                progress.accept(new Progress((s.nanos() - start) / 1e9, s.nanos() - start < plan.warmup().toNanos(),
                        d.ops() / secs, d.sent() / secs / 1e6, d.received() / secs / 1e6, tally.open.get(), tally.errors.sum()));
                last = s;
            }
        }
        return last;
    }

    private static double cpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(c -> c.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** Prints nothing: for runs whose output is not a terminal. */
    public static Consumer<Progress> quiet() {
        return p -> {
        };
    }

    /** A line rewritten in place each second, for a terminal. */
    public static Consumer<Progress> liveLine(PrintStream out, Mode mode) {
        return p -> {
            String what = switch (mode) {
                case STREAM -> String.format(java.util.Locale.ROOT, "%.1f MB/s out, %.1f MB/s in", p.sentMBps(), p.receivedMBps());
                case IDLE -> p.open() + " open";
                case CONNRATE -> String.format(java.util.Locale.ROOT, "%,.0f conn/s", p.opsPerSecond());
                case PINGPONG -> String.format(java.util.Locale.ROOT, "%,.0f msg/s, %d open", p.opsPerSecond(), p.open());
            };
            // Operations are counted from the end of the warm-up: during it there is no rate to show yet.
            out.print(String.format(java.util.Locale.ROOT, "\r%5.0fs %s%s\u001b[K", p.elapsedSeconds(),
                    p.warmingUp() ? "warming up, " + p.open() + " open" : what, p.errors() > 0 ? ", " + p.errors() + " errors" : ""));
            out.flush();
        };
    }
}
