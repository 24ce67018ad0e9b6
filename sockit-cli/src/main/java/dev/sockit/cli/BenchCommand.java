package dev.sockit.cli;

import dev.sockit.cli.bench.Bench;
import dev.sockit.cli.bench.Mode;
import dev.sockit.cli.bench.Plan;
import dev.sockit.cli.bench.Result;
import dev.sockit.net.Endpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.Console;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "bench",
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Load-test a server and measure it: messages/s and latency percentiles (pingpong), MB/s (stream), connections/s (connrate), or how many connections it holds (idle). Every reply is checked by default: echoed bytes must come back as sent, daytime/time/qotd replies must have their RFC shape; a wrong one is an error.",
                "",
                "Modes:",
                "  pingpong  send a message, await its whole echo, again (TCP, Unix, UDP)",
                "  stream    bulk: both ways through echo, to discard, or from chargen",
                "  connrate  connect, read to the server's close, again (daytime, time, qotd)",
                "  idle      open --connections, hold them silent; report how many were held",
                "",
                "The load stops by itself after --warmup plus --duration. A progress line is shown each second on a terminal; the final table (or --json) goes to stdout, with this process's own CPU use, so you can see the load generator was not the bottleneck.",
                ""},
        footer = {"",
                "Examples:",
                "  sockit serve echo@127.0.0.1:7007 &",
                "  sockit bench 127.0.0.1:7007                # 1 connection, 64 B pingpong, 10s",
                "  sockit bench 127.0.0.1:7007 -c 100 -d 5s --warmup 2s",
                "  sockit bench 127.0.0.1:7007 -c 10 --rate 20000       # paced: latency counts",
                "                                   # from each message's scheduled start",
                "  sockit bench 127.0.0.1:7007 -m stream -s 16K -c 8",
                "  sockit bench 127.0.0.1:10019 -m stream --service chargen   # RFC 864 checked",
                "  sockit bench 127.0.0.1:10013 -m connrate --service daytime -c 4",
                "  sockit bench 127.0.0.1:7007 -m idle -c 10000 --server-pid PID",
                "  sockit bench 127.0.0.1:7007 --udp           # UDP round trips, loss counted (serve --no-reply-limits)",
                "  sockit bench unix:/tmp/echo.sock --json",
                "",
                "Exit status: 0 when the run was clean; 1 when a reply was wrong, a connection failed (idle: none was held) or nothing got through; 2 for bad options."})
final class BenchCommand implements Callable<Integer> {
    private static final Set<String> STREAM_SERVICES = Set.of("echo", "discard", "chargen");
    private static final Set<String> ONE_SHOT = Set.of("daytime", "time", "qotd");
    /** Connections one loopback source address carries (the kernel's ephemeral range is ~28,000). */
    private static final int PER_SOURCE = 25_000;

    @Parameters(paramLabel = "ENDPOINT", description = "The server: HOST:PORT, [IPv6]:PORT or unix:/path (not an abstract unix:@name).")
    String endpoint;

    @Option(names = {"-m", "--mode"}, paramLabel = "MODE", description = "pingpong, stream, connrate or idle (default: pingpong).")
    String mode = "pingpong";

    @Option(names = {"-c", "--connections"}, paramLabel = "N", description = "Connections at once (default: 1).")
    int connections = 1;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", converter = SizeConverter.class,
            description = "Message size (pingpong, default 64) or write size (stream, default 16K); e.g. 64, 16K.")
    Integer size;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to measure (default: 10s).")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--warmup", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Load before measuring starts, left out of the figures (default: 0s).")
    Duration warmup = Duration.ZERO;

    @Option(names = "--rate", paramLabel = "PER_SECOND",
            description = "Pace pingpong messages or connrate connections to this many per second over all connections; latency then counts from each one's scheduled start (default: as fast as possible).")
    double rate;

    @Option(names = "--service", paramLabel = "NAME",
            description = "What the server serves, which decides what a right reply is: echo (default for pingpong, stream, idle), discard or chargen (stream), daytime (default for connrate), time, qotd.")
    String service;

    @Option(names = "--udp", description = "UDP datagrams instead of TCP (pingpong against echo only); a reply missing after --timeout is lost.")
    boolean udp;

    @Option(names = "--sources", paramLabel = "N",
            description = "Connect from 127.0.0.1 .. 127.0.0.N, to go past one address's ~28,000 ephemeral ports (loopback IPv4 targets only; default: one per 25,000 connections).")
    Integer sources;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a UDP reply may take before it is lost, and how long the end waits for stuck connections (default: 2s).")
    Duration timeout = Duration.ofSeconds(2);

    @Option(names = "--no-verify", description = "Do not check replies (measures the server alone, trusting it).")
    boolean noVerify;

    @Option(names = "--server-pid", paramLabel = "PID",
            description = "The server's process id (on this machine): report its resident memory before and at the end, and per connection.")
    long serverPid;

    @Option(names = "--threads", paramLabel = "KIND",
            description = "What drives the connections: platform or virtual threads, or selector (one NIO selector per CPU; unpaced TCP pingpong only); auto (default): platform threads up to 8 connections, else a selector for pingpong and virtual threads for the rest.")
    String threads = "auto";

    @Option(names = "--json", description = "Print the result as one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        Console console = System.console();
        boolean live = !json && console != null && console.isTerminal();
        Bench bench = new Bench(plan, serverPid, live ? Bench.liveLine(System.out, plan.mode()) : Bench.quiet());
        Result r = bench.run();
        if (live) {
            System.out.print("\r\u001b[K");
        }
        System.out.print(json ? BenchReport.json(r) + "\n" : BenchReport.text(r));
        System.out.flush();
        if (r.failed()) {
            System.err.println("sockit: bench " + plan.mode().label() + " against " + plan.shown() + " failed: " + why(r));
            return 1;
        }
        return 0;
    }

    private static String why(Result r) {
        if (r.mismatches() > 0) {
            return r.mismatches() + " wrong repl" + (r.mismatches() == 1 ? "y" : "ies") + " (first: " + r.firstMismatch() + ")";
        }
        if (r.errors() > 0) {
            return r.errors() + " connection error(s) (first: " + r.firstError() + ")";
        }
        return r.plan().mode() == Mode.IDLE ? "no connection was held" : "nothing got through in " + r.seconds() + " s";
    }

    Plan plan() {
        Mode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "pingpong", "ping-pong" -> Mode.PINGPONG;
            case "stream" -> Mode.STREAM;
            case "connrate" -> Mode.CONNRATE;
            case "idle" -> Mode.IDLE;
            default -> throw new Main.UsageException("unknown mode '" + mode + "'; expected pingpong, stream, connrate or idle");
        };
        String svc = service != null ? service.toLowerCase(Locale.ROOT) : m == Mode.CONNRATE ? "daytime" : "echo";
        require(dev.sockit.service.Service.named(svc).isPresent(), "unknown service '" + svc + "'; services: "
                + dev.sockit.service.Service.names());
        switch (m) {
            case PINGPONG -> require(svc.equals("echo"), "pingpong needs an echo server; --service " + svc + " does not send back what it gets");
            case STREAM -> require(STREAM_SERVICES.contains(svc), "stream works with echo, discard or chargen, not " + svc);
            case CONNRATE -> require(ONE_SHOT.contains(svc), "connrate works with daytime, time or qotd (servers that reply and close), not " + svc);
            case IDLE -> { }
        }
        require(!udp || m == Mode.PINGPONG, "--udp works with --mode pingpong only");
        require(connections >= 1 && connections <= 1_000_000, "--connections must be from 1 to 1,000,000, not " + connections);
        int sz = size != null ? size : m == Mode.STREAM ? 16 * 1024 : 64;
        require(sz >= 1 && sz <= 16 * 1024 * 1024, "--size must be from 1 byte to 16M, not " + sz);
        require(!udp || (sz >= 8 && sz <= 65_507), "--size for UDP must be from 8 bytes (the sequence number) to 65,507");
        require(!duration.isZero() && !duration.isNegative(), "--duration must be more than 0");
        require(!timeout.isZero(), "--timeout must be more than 0");
        require(rate >= 0 && rate <= 1e9, "--rate must be a number from 0 (as fast as possible) to 1e9 per second, not " + rate);
        require(rate == 0 || m == Mode.PINGPONG || m == Mode.CONNRATE, "--rate paces pingpong and connrate only");
        Plan.Threads kind = switch (threads.toLowerCase(Locale.ROOT)) {
            case "auto" -> Plan.Threads.AUTO;
            case "platform" -> Plan.Threads.PLATFORM;
            case "virtual" -> Plan.Threads.VIRTUAL;
            case "selector" -> Plan.Threads.SELECTOR;
            default -> throw new Main.UsageException("--threads must be auto, platform, virtual or selector, not " + threads);
        };
        require(serverPid >= 0, "--server-pid must be a process id");
        require(kind != Plan.Threads.SELECTOR || (m == Mode.PINGPONG && !udp && rate == 0),
                "--threads selector drives unpaced TCP pingpong only");

        Endpoint e;
        try {
            e = Endpoint.parse(endpoint);
        } catch (IllegalArgumentException x) {
            throw new Main.UsageException(x.getMessage());
        }
        require(!(udp && e instanceof Endpoint.Unix), "--udp needs an IP endpoint, not " + e);
        SocketAddress target = resolve(e);
        List<SocketAddress> from = sources(target);
        return new Plan(target, e.toString(), udp, m, svc, connections, sz, duration, warmup, rate, from, !noVerify, timeout, kind);
    }

    private static SocketAddress resolve(Endpoint e) {
        if (e instanceof Endpoint.Inet i) {
            require(i.port() > 0, "port 0 is not a server's port: give the port it listens on");
            if (i.isWildcard()) {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), i.port());
            }
            try {
                InetAddress a = i.isLiteral() ? InetAddress.ofLiteral(i.host()) : InetAddress.getByName(i.host());
                return new InetSocketAddress(a, i.port());
            } catch (UnknownHostException x) {
                throw new Main.UsageException("cannot resolve host '" + i.host() + "'");
            }
        }
        if (e instanceof Endpoint.Unix u && u.abstractName()) {
            // The generator's sockets are the JDK's, which cannot address Linux abstract names.
            throw new Main.UsageException("bench cannot reach an abstract Unix name (" + u + "); serve on a socket file, unix:/path");
        }
        return e.toSocketAddress();
    }

    private List<SocketAddress> sources(SocketAddress target) {
        int wanted = sources != null ? sources : (connections + PER_SOURCE - 1) / PER_SOURCE;
        require(wanted >= 1 && wanted <= 254, "--sources must be from 1 to 254, not " + wanted);
        if (wanted == 1 && sources == null) {
            return List.of(); // the kernel chooses, as for any client
        }
        boolean loopback4 = target instanceof InetSocketAddress a && a.getAddress() != null
                && a.getAddress().isLoopbackAddress() && a.getAddress().getAddress().length == 4;
        require(loopback4, "--sources spreads connections over 127.0.0.x, so the target must be an IPv4 loopback address"
                + (sources == null ? " (" + connections + " connections need more than one source address)" : ""));
        List<SocketAddress> list = new ArrayList<>();
        for (int i = 1; i <= wanted; i++) {
            list.add(new InetSocketAddress(InetAddress.ofLiteral("127.0.0." + i), 0));
        }
        return list;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new Main.UsageException(message);
        }
    }
}
