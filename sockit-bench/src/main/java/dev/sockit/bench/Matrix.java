package dev.sockit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The side-by-side benchmark: sockit's two engines, Netty epoll, a plain NIO selector server and the
 * classic C iterative daytime server under the same {@code sockit bench} load, the server pinned to
 * CPU 0 and the load to CPU 1, every case run interleaved (each repetition goes through every case
 * and server before the next starts), medians with min–max, ratios to Netty; then some cases again
 * with server and load sharing both CPUs (not pinned); then startup; then docs/benchmarks.md. Run it
 * with {@code bench/run}.
 */
public final class Matrix {
    static final String NETTY = "netty-epoll";
    static final String EPOLL = "sockit-epoll";
    static final String THREADS = "sockit-threads";
    static final String C_ITERATIVE = "c-iterative";

    /**
     * A server under test and how to start it: {@code args} follow the java command (with its CPU
     * pinning) for a JVM server, or are the whole command for a native one; {@code services} are
     * what it serves, each announced on start.
     */
    record Server(String name, String about, boolean jvm, List<String> args, List<String> services) {
        List<String> command(Options o, boolean pinned) {
            if (jvm) {
                return concat(o.java(0, pinned), args.toArray(String[]::new));
            }
            List<String> c = new ArrayList<>(o.cpu(0, pinned));
            c.addAll(args);
            return c;
        }
    }

    /** Where server and load run. */
    enum Placement {
        /** Server pinned to CPU 0, load to CPU 1. */
        PINNED,
        /** As pinned, and the server held to part of CPU 0 ({@link CpuCap}), so that it, not the load, is the limit. */
        CAPPED,
        /** Neither pinned: both share both CPUs. */
        SHARED;

        boolean pinned() {
            return this != SHARED;
        }
    }

    /** One row of the matrix: a load, the servers it runs against, and where they run. */
    record Case(String id, String title, String mode, String service, int connections, int size, List<String> servers, Placement placement) {
        boolean pinned() {
            return placement.pinned();
        }
    }

    private final Options o;
    private final Map<String, Server> servers = new LinkedHashMap<>();
    private final List<Case> cases = new ArrayList<>();
    /** case id → server → one result per repetition. */
    private final Map<String, Map<String, List<Map<String, Object>>>> results = new LinkedHashMap<>();
    /** The group that holds servers to part of a CPU in the capped rows; null when there are none. */
    private CpuCap cap;
    /** Why there are no capped rows, when there are none. */
    private String capProblem = "";

    Matrix(Options o) {
        this.o = o;
        List<String> serve = List.of("-jar", o.sockitJar.toString(), "serve", "echo@127.0.0.1:0", "daytime@127.0.0.1:0",
                "--quiet", "--grace", "1s", "--max-connections", "1000000");
        List<String> both = List.of("echo", "daytime");
        servers.put(EPOLL, new Server(EPOLL, "sockit serve --engine epoll: event loops through FFM, one per CPU (the default on Linux)",
                true, concat(serve, "--engine", "epoll"), both));
        servers.put(THREADS, new Server(THREADS, "sockit serve --engine threads: one virtual thread per connection",
                true, concat(serve, "--engine", "threads"), both));
        servers.put("sockit-iterative", new Server("sockit-iterative", "sockit serve --iterative (one connection at a time, epoll engine)",
                true, concat(serve, "--iterative"), both));
        servers.put(NETTY, new Server(NETTY, "Netty " + nettyVersion() + " native epoll transport, one event loop per CPU (NettyServer)",
                true, List.of("-cp", o.benchJar.toString(), "dev.sockit.bench.NettyServer", "0", "0"), both));
        servers.put("jdk-nio", new Server("jdk-nio", "plain JDK NIO selector, one thread (NioServer)",
                true, List.of("-cp", o.benchJar.toString(), "dev.sockit.bench.NioServer", "0", "0"), both));
        if (o.cIterative != null) {
            servers.put(C_ITERATIVE, new Server(C_ITERATIVE, "the classic C iterative daytime server (accept, write, close; "
                    + "sockit-bench/src/main/c/daytime_iterative.c, cc -O2)", false, List.of(o.cIterative.toString(), "0"), List.of("daytime")));
        }

        List<String> four = List.of(EPOLL, THREADS, NETTY, "jdk-nio");
        for (int c : new int[] {1, 100, 1000}) {
            cases.add(new Case("pingpong-64-c" + c, "pingpong, 64-byte messages, " + c + (c == 1 ? " connection" : " connections"),
                    "pingpong", "echo", c, 64, four, Placement.PINNED));
        }
        for (int c : new int[] {1, 8}) {
            cases.add(new Case("stream-16k-c" + c, "stream through echo, 16 KiB writes, " + c + (c == 1 ? " connection" : " connections"),
                    "stream", "echo", c, 16384, four, Placement.PINNED));
        }
        List<String> daytime = new ArrayList<>(List.of(EPOLL, THREADS, "sockit-iterative", NETTY, "jdk-nio"));
        if (o.cIterative != null) {
            daytime.add(C_ITERATIVE);
        }
        cases.add(new Case("connrate-daytime-c4", "connrate on daytime, 4 connections at a time", "connrate", "daytime", 4, 0, daytime,
                Placement.PINNED));
        for (int n : o.idle) {
            cases.add(new Case("idle-" + n, "idle, " + String.format(Locale.ROOT, "%,d", n) + " connections held", "idle", "echo", n, 0, four,
                    Placement.PINNED));
        }
        // The server held to part of its CPU, so that it is the limit, not the load (see CpuCap).
        String capped = "server held to " + Math.round(o.cap * 100) + "% of CPU 0, load on CPU 1: ";
        for (int c : new int[] {100, 1000}) {
            cases.add(new Case("capped-pingpong-64-c" + c, capped + "pingpong, 64-byte messages, " + c + " connections",
                    "pingpong", "echo", c, 64, four, Placement.CAPPED));
        }
        cases.add(new Case("capped-stream-16k-c8", capped + "stream through echo, 16 KiB writes, 8 connections", "stream", "echo", 8, 16384,
                four, Placement.CAPPED));
        cases.add(new Case("capped-connrate-daytime-c4", capped + "connrate on daytime, 4 connections at a time", "connrate", "daytime", 4, 0,
                daytime, Placement.CAPPED));
        // Both CPUs for server and load together: what a machine running both sees, loops and collectors for two CPUs.
        List<String> engines = List.of(EPOLL, THREADS, NETTY);
        String shared = "both CPUs shared by server and load (not pinned): ";
        // One connection too: busy polling with two CPUs to itself behaves otherwise than on one.
        for (int c : new int[] {1, 100, 1000}) {
            cases.add(new Case("both-pingpong-64-c" + c, shared + "pingpong, 64-byte messages, " + c + (c == 1 ? " connection" : " connections"),
                    "pingpong", "echo", c, 64, engines, Placement.SHARED));
        }
        cases.add(new Case("both-stream-16k-c8", shared + "stream through echo, 16 KiB writes, 8 connections", "stream", "echo", 8, 16384,
                engines, Placement.SHARED));
        cases.add(new Case("both-connrate-daytime-c4", shared + "connrate on daytime, 4 connections at a time", "connrate", "daytime", 4, 0,
                engines, Placement.SHARED));
        cases.removeIf(c -> !o.only.matcher(c.id).find());
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        new Matrix(o).run();
    }

    void run() throws Exception {
        if (cases.stream().anyMatch(c -> c.placement == Placement.CAPPED)) {
            CpuCap.Result r = CpuCap.create(o.cap);
            cap = r.cap().orElse(null);
            capProblem = r.problem();
            if (cap == null) {
                System.err.println("bench: the capped rows are left out: " + capProblem);
                cases.removeIf(c -> c.placement == Placement.CAPPED);
            }
        }
        try {
            measure();
        } finally {
            if (cap != null) {
                cap.close();
            }
        }
    }

    private void measure() throws Exception {
        Instant started = Instant.now();
        String loadBefore = Machine.loadAverage();
        int total = o.reps * cases.stream().mapToInt(c -> c.servers.size()).sum();
        int done = 0;
        for (int rep = 1; rep <= o.reps; rep++) {
            for (Case c : cases) {
                for (String s : c.servers) {
                    done++;
                    System.err.printf(Locale.ROOT, "[%d/%d] rep %d %s on %s ... ", done, total, rep, c.id, s);
                    Map<String, Object> r = runQuietest(c, servers.get(s));
                    results.computeIfAbsent(c.id, k -> new LinkedHashMap<>()).computeIfAbsent(s, k -> new ArrayList<>()).add(r);
                    System.err.println(summary(c, r));
                }
            }
        }
        Startup startup = o.startup ? new Startup(o).measure() : null;
        String loadAfter = Machine.loadAverage();
        String md = new Report(o, servers, cases, results, startup, started, loadBefore, loadAfter,
                cap != null ? cap.describe() : null, capProblem).markdown();
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        Files.writeString(o.out, md);
        Files.writeString(o.out.resolveSibling(o.out.getFileName().toString().replaceFirst("\\.md$", "") + "-runs.jsonl"), runLines());
        System.err.println("wrote " + o.out);
    }

    /** Every kept run as one JSON line: the case, the server, the repetition, and what the bench printed. */
    private String runLines() {
        StringBuilder sb = new StringBuilder();
        results.forEach((caseId, byServer) -> byServer.forEach((server, runs) -> {
            for (int i = 0; i < runs.size(); i++) {
                sb.append("{\"case\":\"").append(caseId).append("\",\"server\":\"").append(server).append("\",\"rep\":").append(i + 1)
                        .append(",\"result\":").append(runs.get(i).get("json")).append("}\n");
            }
        }));
        return sb.toString();
    }

    private Map<String, Object> runOne(Case c, Server s) throws Exception {
        List<String> command = s.command(o, c.pinned());
        if (c.placement == Placement.CAPPED) {
            command = cap.wrap(command);
        }
        try (ServerProcess server = new ServerProcess(command, s.services).awaitReady(Duration.ofSeconds(30))) {
            boolean idle = c.mode.equals("idle");
            List<String> cmd = concat(o.java(1, c.pinned()), "-jar", o.sockitJar.toString(), "bench",
                    "127.0.0.1:" + server.port(c.service), "--mode", c.mode, "--service", c.service,
                    "--connections", Integer.toString(c.connections),
                    "--duration", (idle ? o.idleHold : o.duration).toMillis() + "ms",
                    "--warmup", (idle ? Duration.ZERO : warmup(c)).toMillis() + "ms",
                    "--timeout", "5s", "--server-pid", Long.toString(server.pid()), "--json");
            if (c.size > 0) {
                cmd.addAll(List.of("--size", Integer.toString(c.size)));
            }
            long limit = (idle ? o.idleHold : o.duration.plus(warmup(c))).toSeconds() + 60;
            return Load.run(cmd, limit);
        }
    }

    /** A capped server compiles its hot code with a fraction of a CPU: it gets the warm-up over that fraction. */
    private Duration warmup(Case c) {
        return c.placement == Placement.CAPPED ? Duration.ofMillis(Math.round(o.warmup.toMillis() / o.cap)) : o.warmup;
    }

    /**
     * Runs one measurement; when other programs took more than {@link Options#disturbed} of a CPU
     * during it (the box is shared), runs it again, up to {@link Options#retries} times, and keeps the
     * least disturbed attempt. The report says how many were repeated.
     */
    private Map<String, Object> runQuietest(Case c, Server s) throws Exception {
        Map<String, Object> best = null;
        for (int attempt = 1; attempt <= 1 + o.retries; attempt++) {
            Map<String, Object> r = runOne(c, s);
            r.put("attempts", (double) attempt);
            if (best == null || Load.number(r, "others_cpu_share") < Load.number(best, "others_cpu_share")) {
                best = r;
            }
            if (!(Load.number(r, "others_cpu_share") > o.disturbed) || attempt > o.retries) {
                break;
            }
            System.err.printf(Locale.ROOT, "(others used %.2f CPU, again) ", Load.number(r, "others_cpu_share"));
        }
        best.put("attempts_total", best.get("attempts"));
        return best;
    }

    private static String summary(Case c, Map<String, Object> r) {
        String s = switch (c.mode) {
            case "stream" -> String.format(Locale.ROOT, "%.1f MB/s", Load.number(r, "mb_per_s_received"));
            case "idle" -> String.format(Locale.ROOT, "%.0f held, %.0f B/conn", Load.number(r, "held"),
                    Load.number(r, "server_rss_per_connection_bytes"));
            default -> String.format(Locale.ROOT, "%,.0f/s p99 %.0f µs, server CPU %.1f µs each", Load.number(r, "ops_per_s"),
                    Load.number(r, "p99_us"), Report.value(r, Report.SERVER_CPU_PER_OP));
        };
        return s + String.format(Locale.ROOT, ", load CPU %.0f%%, server CPU %.0f%%, others %.0f%%", 100 * Load.number(r, "cpu_share"),
                100 * Load.number(r, "server_cpu_share"), 100 * Load.number(r, "others_cpu_share"))
                + (Load.number(r, "exit") != 0 ? " FAILED: " + r.get("stderr") : "");
    }

    private static String nettyVersion() {
        return io.netty.util.Version.identify().values().stream().findFirst().map(v -> v.artifactVersion()).orElse("4");
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> l = new ArrayList<>(head);
        l.addAll(List.of(tail));
        return l;
    }

    /** The runner's options; bench/run passes the jars and any of these through. */
    static final class Options {
        Path sockitJar;
        Path benchJar;
        Path sockitLauncher;
        Path out = Path.of("docs/benchmarks.md");
        String javaHome = System.getProperty("java.home");
        int reps = 5;
        Duration duration = Duration.ofSeconds(3);
        Duration warmup = Duration.ofSeconds(2);
        /** Long enough for the generator to open 18,000 connections on a busy box, and hold them. */
        Duration idleHold = Duration.ofSeconds(8);
        int[] idle = {10_000, 18_000};
        /** The share of CPU 0 a server gets in the capped rows. */
        double cap = 0.5;
        boolean pin = Files.isExecutable(Path.of("/usr/bin/taskset"));
        boolean startup = true;
        int startupRuns = 10;
        /** CPUs' worth of other programs' use during a run above which it is repeated. */
        double disturbed = 0.25;
        int retries = 2;
        Pattern only = Pattern.compile("");
        String command = "bench/run";
        /** The C iterative daytime server, built by bench/run where a C compiler is installed; null: not in the matrix. */
        Path cIterative;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--sockit-jar" -> o.sockitJar = Path.of(args[++i]);
                    case "--bench-jar" -> o.benchJar = Path.of(args[++i]);
                    case "--launcher" -> o.sockitLauncher = Path.of(args[++i]);
                    case "--out" -> o.out = Path.of(args[++i]);
                    case "--reps" -> o.reps = Integer.parseInt(args[++i]);
                    case "--duration" -> o.duration = Duration.ofMillis(Math.round(Double.parseDouble(args[++i]) * 1000));
                    case "--warmup" -> o.warmup = Duration.ofMillis(Math.round(Double.parseDouble(args[++i]) * 1000));
                    case "--idle-hold" -> o.idleHold = Duration.ofMillis(Math.round(Double.parseDouble(args[++i]) * 1000));
                    case "--idle" -> o.idle = java.util.Arrays.stream(args[++i].split(",")).filter(x -> !x.isBlank())
                            .mapToInt(Integer::parseInt).toArray();
                    case "--no-pin" -> o.pin = false;
                    case "--no-startup" -> o.startup = false;
                    case "--startup-runs" -> o.startupRuns = Integer.parseInt(args[++i]);
                    case "--retries" -> o.retries = Integer.parseInt(args[++i]);
                    case "--disturbed" -> o.disturbed = Double.parseDouble(args[++i]);
                    case "--only" -> o.only = Pattern.compile(args[++i]);
                    case "--cap" -> o.cap = Double.parseDouble(args[++i]);
                    case "--command" -> o.command = args[++i];
                    case "--c-iterative" -> o.cIterative = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + a + (v == null ? "" : ""));
                }
            }
            if (o.sockitJar == null || o.benchJar == null) {
                throw new IllegalArgumentException("--sockit-jar and --bench-jar are required (bench/run passes them)");
            }
            return o;
        }

        /** The java command, pinned to {@code cpu} when taskset is there. */
        List<String> java(int cpu) {
            return java(cpu, true);
        }

        /** The java command, pinned to {@code cpu} when {@code pinned} and taskset is there. */
        List<String> java(int cpu, boolean pinned) {
            List<String> l = cpu(cpu, pinned);
            l.addAll(List.of(Path.of(javaHome, "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow"));
            return l;
        }

        /** {@code taskset -c CPU} when pinning, else nothing. */
        List<String> cpu(int cpu, boolean pinned) {
            List<String> l = new ArrayList<>();
            if (pin && pinned) {
                l.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
            }
            return l;
        }
    }
}
