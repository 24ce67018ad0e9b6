package dev.sockit.cli;

import dev.sockit.cli.bench.Mode;
import dev.sockit.cli.bench.Plan;
import dev.sockit.cli.bench.Result;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A bench result as a table for people, or as one JSON object for scripts. */
final class BenchReport {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};

    /** Heavy loss against a sockit server is most often its UDP guard doing its job, not the network. */
    static final String LIMITED = "; if it is a sockit server, it limits UDP replies per source (20/s by default): serve with --no-reply-limits to measure it";

    private BenchReport() {
    }

    static String text(Result r) {
        Plan p = r.plan();
        List<String[]> rows = new ArrayList<>();
        switch (p.mode()) {
            case PINGPONG -> {
                rows.add(row(p.udp() ? "round trips" : "messages", count(r.ops()), rate(r.opsPerSecond(), p.udp() ? "round trips/s" : "msg/s")));
                if (p.udp()) {
                    long tries = r.ops() + r.lost();
                    rows.add(row("lost", count(r.lost()), tries == 0 ? "" : f("%.3f%% of %s sent", 100.0 * r.lost() / tries, count(tries))
                            + (r.lost() > r.ops() ? LIMITED : "")));
                }
                rows.add(row("sent", mb(r.sent()), f("%.2f MB/s", r.sentMBps())));
                rows.add(row("received", mb(r.received()), f("%.2f MB/s", r.receivedMBps())));
                latencyRows(r, rows, "round trip");
            }
            case STREAM -> {
                rows.add(row("sent", mb(r.sent()), f("%.2f MB/s", r.sentMBps())));
                rows.add(row("received", mb(r.received()), f("%.2f MB/s", r.receivedMBps())));
                if (loopback(p) && !Double.isNaN(r.loopbackMBps())) {
                    rows.add(row("kernel check", f("%.2f MB/s", r.loopbackMBps()),
                            "carried by the loopback interface meanwhile (headers and every program's traffic included)"));
                }
            }
            case CONNRATE -> {
                rows.add(row("connections", count(r.ops()), rate(r.opsPerSecond(), "conn/s")));
                latencyRows(r, rows, "connect to close");
            }
            case IDLE -> {
                rows.add(row("opened", count(r.ops() + 0), "of " + count(p.connections())));
                rows.add(row("held", count(r.held()), "open at the end, after " + f("%.1f s", r.seconds())));
            }
        }
        if (r.serverRssKib() >= 0) {
            long per = r.serverRssPerConnectionBytes();
            rows.add(row("server RSS", f("%,d KiB", r.serverRssKib()), f("from %,d KiB before", r.serverRssBeforeKib())
                    + (per >= 0 ? f("; %,d bytes per connection", per) : "")));
        }
        rows.add(row("errors", count(r.errors()), r.firstError() == null ? "" : "first: " + r.firstError()));
        rows.add(row("mismatches", count(r.mismatches()), !p.verify() ? "(not verified: --no-verify)"
                : r.firstMismatch() == null ? "every reply verified" : "first: " + r.firstMismatch()));
        rows.add(row("load CPU", f("%.0f%%", 100 * r.cpuShare()), f("of one core (%.2f s of CPU in %.2f s)", r.cpuSeconds(), r.seconds())));
        if (!Double.isNaN(r.serverCpuSeconds())) {
            rows.add(row("server CPU", f("%.0f%%", 100 * r.serverCpuShare()), "of one core"));
        }
        if (!Double.isNaN(r.othersCpuSeconds())) {
            rows.add(row(Double.isNaN(r.serverCpuSeconds()) ? "rest of machine" : "other programs", f("%.0f%%", 100 * r.othersCpuShare()),
                    "of one core" + (Double.isNaN(r.serverCpuSeconds()) ? " (the server among them; --server-pid tells it apart)" : ": a busy machine makes noisy figures")));
        }

        StringBuilder sb = new StringBuilder();
        sb.append("sockit bench ").append(p.mode().label()).append(' ').append(p.shown()).append(" (").append(p.service())
                .append(p.udp() ? "/udp" : "").append("): ").append(count(p.connections())).append(p.connections() == 1 ? " connection" : " connections");
        if (p.mode() == Mode.PINGPONG || p.mode() == Mode.STREAM) {
            sb.append(", ").append(count(p.size())).append("-byte ").append(p.mode() == Mode.STREAM ? "writes" : "messages");
        }
        if (p.rate() > 0) {
            sb.append(", paced at ").append(f("%,.0f", p.rate())).append("/s");
        }
        sb.append(", ").append(f("%.1f s", r.seconds()));
        if (!p.warmup().isZero()) {
            sb.append(" after ").append(f("%.1f s", p.warmup().toNanos() / 1e9)).append(" of warm-up");
        }
        sb.append('\n');
        int w0 = rows.stream().mapToInt(x -> x[0].length()).max().orElse(0);
        int w1 = rows.stream().mapToInt(x -> x[1].length()).max().orElse(0);
        for (String[] x : rows) {
            sb.append("  ").append(pad(x[0], w0)).append("  ").append(padLeft(x[1], w1));
            if (!x[2].isEmpty()) {
                sb.append("  ").append(x[2]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String json(Result r) {
        Plan p = r.plan();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("mode", p.mode().label());
        f.put("transport", p.udp() ? "udp" : p.shown().startsWith("unix:") ? "unix" : "tcp");
        f.put("endpoint", p.shown());
        f.put("service", p.service());
        f.put("connections", p.connections());
        f.put("size", p.size());
        f.put("rate", p.rate());
        f.put("warmup_s", p.warmup().toNanos() / 1e9);
        f.put("seconds", round(r.seconds(), 3));
        f.put("ops", r.ops());
        f.put("ops_per_s", round(r.opsPerSecond(), 1));
        f.put("bytes_sent", r.sent());
        f.put("bytes_received", r.received());
        f.put("mb_per_s_sent", round(r.sentMBps(), 3));
        f.put("mb_per_s_received", round(r.receivedMBps(), 3));
        if (loopback(p) && !Double.isNaN(r.loopbackMBps())) {
            f.put("kernel_lo_mb_per_s", round(r.loopbackMBps(), 3));
        }
        if (r.latency().getTotalCount() > 0) {
            for (double pc : PERCENTILES) {
                f.put("p" + (pc == 99.9 ? "99_9" : Integer.toString((int) pc)) + "_us", round(r.latencyMicros(pc), 1));
            }
            f.put("max_us", round(r.maxLatencyMicros(), 1));
            f.put("mean_us", round(r.meanLatencyMicros(), 1));
        }
        f.put("lost", r.lost());
        f.put("held", r.held());
        f.put("errors", r.errors());
        f.put("mismatches", r.mismatches());
        f.put("verified", p.verify());
        f.put("cpu_s", round(r.cpuSeconds(), 3));
        f.put("cpu_share", round(r.cpuShare(), 3));
        if (!Double.isNaN(r.serverCpuSeconds())) {
            f.put("server_cpu_share", round(r.serverCpuShare(), 3));
        }
        if (!Double.isNaN(r.othersCpuSeconds())) {
            f.put("others_cpu_share", round(r.othersCpuShare(), 3));
        }
        if (r.serverRssKib() >= 0) {
            f.put("server_rss_before_kib", r.serverRssBeforeKib());
            f.put("server_rss_kib", r.serverRssKib());
            f.put("server_rss_per_connection_bytes", r.serverRssPerConnectionBytes());
        }
        f.put("first_error", r.firstError());
        f.put("first_mismatch", r.firstMismatch());
        f.put("ok", !r.failed());
        return Json.object(f);
    }

    private static boolean loopback(Plan p) {
        return p.target() instanceof java.net.InetSocketAddress a && a.getAddress() != null && a.getAddress().isLoopbackAddress();
    }

    private static void latencyRows(Result r, List<String[]> rows, String what) {
        if (r.latency().getTotalCount() == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (double pc : PERCENTILES) {
            sb.append(pc == 99.9 ? "p99.9 " : "p" + (int) pc + " ").append(micros(r.latencyMicros(pc))).append("  ");
        }
        sb.append("max ").append(micros(r.maxLatencyMicros()));
        rows.add(row("latency", micros(r.meanLatencyMicros()) + " mean", what + ": " + sb));
    }

    private static String micros(double us) {
        return us >= 10_000 ? f("%.1f ms", us / 1000) : f("%.1f µs", us);
    }

    private static String[] row(String a, String b, String c) {
        return new String[] {a, b, c};
    }

    private static String count(long n) {
        return f("%,d", n);
    }

    private static String rate(double perSecond, String unit) {
        return f("%,.1f %s", perSecond, unit);
    }

    private static String mb(long bytes) {
        return f("%,.1f MB", bytes / 1e6);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return 0;
        }
        double m = Math.pow(10, places);
        return Math.round(v * m) / m;
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }
}
