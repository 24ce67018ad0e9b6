package dev.sockit.cli;

import dev.sockit.engine.EngineKind;
import dev.sockit.engine.ReplyLimits;
import dev.sockit.linux.Account;
import dev.sockit.linux.InheritedSocket;
import dev.sockit.linux.SocketActivation;
import dev.sockit.net.AccessList;
import dev.sockit.net.AddressBlock;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.ConnectionRecord;
import dev.sockit.server.ListenException;
import dev.sockit.server.Server;
import dev.sockit.server.ServerEvents;
import dev.sockit.server.Spec;
import dev.sockit.service.Daytime;
import dev.sockit.service.Qotd;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import dev.sockit.service.Sink;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

@Command(name = "serve",
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Serve the Internet small services until stopped (SIGTERM, SIGHUP or Ctrl-C), then let open connections finish for the --grace period; a second SIGTERM or Ctrl-C stops at once.",
                "",
                "SPEC is SERVICE[/tcp|/udp][@ENDPOINT]. Services: echo (RFC 862, port 7), discard (863, port 9), daytime (867, port 13), qotd (865, port 17), chargen (864, port 19), time (868, port 37), and sink (no standard port), which prints each client's lines (or datagrams) to stdout prefixed by its address.",
                "",
                "A service named without /tcp or /udp is served on both. No SPEC: the six standard services on their standard ports (plus --port-offset), TCP and UDP; a SPEC with a host but no port (echo@127.0.0.1) takes its standard port too. Without a host, a listener takes every address, IPv4 and IPv6 (or the --bind address); over UDP that is one socket per local address, so each reply leaves from the address its request came to.",
                "",
                "Unix sockets: unix:/path or unix:@name (Linux abstract namespace). There /tcp means a stream socket (the default) and /udp a datagram socket (unixgram). A stale socket file is replaced only when nothing answers on it; the file is removed on exit.",
                "",
                "TCP and Unix stream connections are served by an engine: epoll (event loops, one per CPU, through Linux epoll; the default where it can run) or threads (a virtual thread per connection, blocking I/O; the default elsewhere). Both serve every service the same way; epoll is the faster (docs/benchmarks.md).",
                "",
                "Started by systemd socket activation (LISTEN_FDS), serve takes the sockets it is passed instead of the six defaults (and beside any SPEC): each for the service its FileDescriptorName= names, else the one whose standard port (plus --port-offset) it is on. Listening stream sockets and datagram sockets, TCP, UDP and Unix; UDP answers from the address each datagram came to. With Accept=yes, the one connection passed is served, and serve exits when it ends. On stop they are left as they are, for systemd.",
                "",
                "UDP is safe to expose by default: no reply to source ports below 1024 (or 0) nor to broadcast or multicast sources (this breaks echo/chargen loops), and replies are rate-limited per source address and in all. What is dropped is counted and reported at most once per --report-every.",
                ""},
        footer = {"",
                "Examples:",
                "  sockit serve --port-offset 10000        all six services, TCP and UDP, on ports 10007..10037",
                "  sockit serve echo@:7007 daytime/tcp@127.0.0.1:1313",
                "  sockit serve echo/udp@[::1]:0           UDP only, any free port; the real one is printed",
                "  sockit serve sink@:15000                print what clients send (TCP lines, UDP datagrams)",
                "  sockit serve daytime --iterative --port-offset 10000",
                "  sockit serve echo@:7007 --engine threads  a virtual thread per connection",
                "  sockit serve echo@:7007 discard@:7009 --keepalive echo=1,1,3 --nodelay",
                "  sockit serve echo@unix:/run/sockit/echo.sock --socket-mode 0660",
                "  sockit serve echo/udp@unix:/tmp/echo.dgram qotd/udp@unix:@qotd",
                "  sockit serve chargen/udp@:10019 --reply-rate 2 --reply-burst 5 --global-reply-rate 100",
                "  sockit serve --allow 192.0.2.0/24,::1 --deny 192.0.2.66",
                "  sockit serve @/etc/sockit/serve.args   the arguments from a file",
                "  sudo sockit serve --user sockit         standard ports, then runs as sockit",
                "",
                "Try them:",
                "  rdate -pu -o 10037 127.0.0.1             time over UDP (RFC 868)",
                "  socat - UDP:127.0.0.1:10007              echo over UDP",
                "  socat - UNIX-CONNECT:/run/sockit/echo.sock",
                "  socat - UNIX-SENDTO:/tmp/echo.dgram,bind=/tmp/me.dgram   (bind: a reply needs a named sender)",
                "",
                "On start, one line per listener gives its real address; at each connection's end, a line gives the client, the bytes in and out, the duration and how it ended; datagram listeners give their counts (answered, dropped by reason) at most once per --report-every, and their totals on stop. All go to stderr; sink's data goes to stdout."})
final class ServeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", arity = "0..*", description = "What to serve, e.g. echo, echo@:7007, daytime@[::1]:1313.")
    List<String> specs = new ArrayList<>();

    @Option(names = "--port-offset", paramLabel = "N", description = "Added to each standard port (default: ${DEFAULT-VALUE}).")
    int portOffset;

    @Option(names = "--bind", paramLabel = "ADDR",
            description = "Address for listeners that name no host (default: every address, IPv4 and IPv6).")
    String bind = "";

    @Option(names = "--engine", paramLabel = "ENGINE", converter = EngineConverter.class,
            description = "How stream connections are served: epoll or threads (default: epoll where it can run, else threads).")
    EngineKind engine;

    @Option(names = "--busy-poll", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With few connections, after handling input keep polling this long for more before sleeping (epoll: the loop; threads: the connection's thread); lower latency for interactive clients, for CPU while they are active; 0 sleeps at once (default: 50us, or 0 when a CPU quota limits the process, as in a container with a CPU limit; at most 10ms).")
    Duration busyPoll;

    @Option(names = "--iterative", description = "Serve one connection at a time per listener, like the classic iterative servers.")
    boolean iterative;

    @Option(names = "--grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On stop, how long open connections may finish (default: 5s).")
    Duration grace = Duration.ofSeconds(5);

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections served at once; more wait in the kernel backlog (default: 10000, or as many as half the heap holds "
                    + "with both buffers of each full, if fewer).")
    Integer maxConnections;

    @Option(names = "--max-per-source", paramLabel = "N",
            description = "Connections at once from one address (an IPv6 client: from its /64), so that one host cannot take them all; "
                    + "more are closed as soon as they are accepted, and counted in a warning at most every 10 s (default: no such limit).")
    int maxPerSource;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--allow", paramLabel = "BLOCK", split = ",", converter = AddressBlockConverter.class,
            description = "Serve only clients in these address blocks (ADDRESS or ADDRESS/PREFIX: 192.0.2.0/24, 2001:db8::/32, ::1), "
                    + "comma-separated or repeated, over TCP and UDP: xinetd's only_from. Others' connections are closed as soon as "
                    + "they are accepted (said in a warning at most every 10 s), their datagrams dropped before the service sees them (counted). "
                    + "Unix-socket clients are not judged (a socket file has --socket-mode; an abstract name is open to the whole network namespace).")
    List<AddressBlock> allow = new ArrayList<>();

    @Option(names = "--deny", paramLabel = "BLOCK", split = ",", converter = AddressBlockConverter.class,
            description = "Never serve clients in these blocks: xinetd's no_access. An address in both an --allow and a --deny block "
                    + "goes by the narrower block (--allow 10.0.0.0/8 --deny 10.1.0.0/16); if they are the same size, deny wins.")
    List<AddressBlock> deny = new ArrayList<>();

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a connection that moves no byte for this long (default: never).")
    Duration idleTimeout = Duration.ZERO;

    @Option(names = "--daytime-format", paramLabel = "FORMAT",
            description = "The daytime line: ctime (Wed Nov 25 03:07:10 2026, as inetd), rfc3339 (2026-11-25T03:07:10Z) or rfc5322 (default: ctime).")
    String daytimeFormat = "ctime";

    @Option(names = "--quotes", paramLabel = "FILE",
            description = "qotd quotations, fortune-style: separated by lines holding only %%, or by blank lines; each under 512 bytes.")
    Path quotes;

    @Option(names = "--socket-mode", paramLabel = "MODE", converter = ModeConverter.class,
            description = "Permissions of Unix socket files, in octal, e.g. 0660 (default: from the umask).")
    Integer socketMode;

    @Option(names = "--user", paramLabel = "USER[:GROUP]",
            description = "Once every socket is bound, run as this user (its groups, and GROUP as the primary one if given), as inetd's user field: start as root for the standard ports, serve as a user of its own. Needs root; names or numbers.")
    String user;

    @Option(names = "--reply-rate", paramLabel = "N",
            description = "Datagram replies per second to one source address (an IPv6 one: to its /64); 0 for no limit (default: ${DEFAULT-VALUE}).")
    double replyRate = ReplyLimits.defaults().perSourceRate();

    @Option(names = "--reply-burst", paramLabel = "N",
            description = "Replies a quiet source may get at once (default: ${DEFAULT-VALUE}).")
    int replyBurst = ReplyLimits.defaults().perSourceBurst();

    @Option(names = "--global-reply-rate", paramLabel = "N",
            description = "Datagram replies per second to all sources together; 0 for no limit (default: ${DEFAULT-VALUE}).")
    double globalReplyRate = ReplyLimits.defaults().globalRate();

    @Option(names = "--reply-sources", paramLabel = "N",
            description = "Sources the reply limiter tracks at once; past that, new sources share one limit (default: ${DEFAULT-VALUE}).")
    int replySources = ReplyLimits.defaults().maxSources();

    @Option(names = "--no-reply-limits", description = "Turn both reply rate limits off.")
    boolean noReplyLimits;

    @Option(names = "--answer-any-source",
            description = "Also answer datagrams from source ports below 1024 (and the small services' ports at --port-offset) and from broadcast or multicast sources. Unsafe: allows echo/chargen loops between servers.")
    boolean answerAnySource;

    @Option(names = "--report-every", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often, at most, datagram counts and drop warnings are printed (default: 10s).")
    Duration reportEvery = Duration.ofSeconds(10);

    @picocli.CommandLine.Mixin
    SocketOptionsMixin socketOptions = new SocketOptionsMixin();

    @Option(names = "--json", description = "Print events as JSON, one object per line.")
    boolean json;

    @Option(names = "--quiet", description = "Do not log each connection's end, nor datagram counts while running (totals on stop still are).")
    boolean quiet;

    /** The log's way to stderr, once serve has one: drained before anything else is said there. */
    private QueuedOutput log;

    @Override
    public Integer call() throws Exception {
        try {
            return serve();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            drainLog();
            if (!json) {
                throw e;
            }
            // with --json, the end is an event like the others, for whoever reads them line by line
            new EventPrinter(System.err, true, true).failed(e.getMessage() != null ? e.getMessage() : e.toString());
            throw new Main.AlreadySaid(e);
        }
    }

    private int serve() throws Exception {
        if (portOffset < 0 || portOffset > 65535) {
            throw new Main.UsageException("--port-offset must be from 0 to 65535, not " + portOffset);
        }
        if (maxConnections != null && maxConnections < 1) {
            throw new Main.UsageException("--max-connections must be at least 1, not " + maxConnections);
        }
        if (maxPerSource < 0) {
            throw new Main.UsageException("--max-per-source must be 0 (no limit) or more, not " + maxPerSource);
        }
        ReplyLimits limits = replyLimits();
        if (reportEvery.isZero()) {
            throw new Main.UsageException("--report-every must be more than 0");
        }
        String bindHost = bindHost();
        Account account = user == null ? null : usage(() -> {
            try {
                return Account.lookup(user);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--user: " + e.getMessage());
            }
        });
        if (account != null) {
            account.requireSwitchable(); // said before binding, where a port below 1024 would fail less clearly
        }
        for (String option : List.of("--allow", "--deny")) {
            // picocli's split drops empty parts: "--allow ," would otherwise leave the server open to all
            var matched = spec == null ? null : spec.commandLine().getParseResult().matchedOption(option);
            for (String v : matched == null ? List.<String>of() : matched.originalStringValues()) {
                if (java.util.Arrays.stream(v.split(",", -1)).anyMatch(String::isBlank)) {
                    throw new Main.UsageException(option + " '" + v + "': an empty address block (a comma too many?)");
                }
            }
        }
        AccessList access = new AccessList(allow, deny);
        Settings settings = Settings.defaults().withDaytime(usage(() -> Daytime.Format.of(daytimeFormat)));
        if (Stdin.isTerminal(1)) {
            // sink's lines on a terminal: a client's escape sequences shown, not obeyed; piped, they pass untouched
            settings = settings.withPrinter(Sink.escaping(settings.printer()));
        }
        if (quotes != null) {
            try {
                settings = settings.withQuotes(Qotd.load(quotes));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new Main.UsageException("cannot read quotes file " + quotes + ": no such file");
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IOException("cannot read quotes file " + quotes + ": permission denied", e);
            } catch (IOException e) {
                throw new IOException("cannot read quotes file " + quotes + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage());
            }
        }
        List<Transport> transports = List.of(Transport.TCP, Transport.UDP);
        List<Spec> parsed = new ArrayList<>();
        Map<InheritedSocket, Service> passed = passedSockets();
        if (specs.isEmpty() && passed.isEmpty()) {
            for (Service s : Service.standard()) {
                parsed.add(usage(() -> Spec.parse(s.name(), portOffset, bindHost, transports)));
            }
        } else {
            Map<String, String> taken = new java.util.HashMap<>();
            for (String text : specs) {
                Spec spec = usage(() -> Spec.parse(text, portOffset, bindHost, transports));
                for (Transport t : spec.transports()) {
                    // two SPECs on one socket: the second could only fail to bind, blaming "another program"
                    boolean ephemeral = spec.endpoint() instanceof dev.sockit.net.Endpoint.Inet i && i.port() == 0;
                    String other = ephemeral ? null : taken.putIfAbsent(t.label(spec.endpoint()) + " " + spec.endpoint(), text);
                    if (other != null) {
                        throw new Main.UsageException("'" + other + "' and '" + text + "' both ask for " + t.label(spec.endpoint()) + " "
                                + spec.endpoint() + "; one socket serves one service");
                    }
                }
                parsed.add(spec);
            }
        }
        socketOptions.validate(java.util.stream.Stream.concat(parsed.stream().map(Spec::service), passed.values().stream())
                .map(Service::name).distinct().toList(), true);
        log = new QueuedOutput(new java.io.FileOutputStream(java.io.FileDescriptor.err), this::droppedLogLines);
        EventPrinter events = new EventPrinter(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8), json, !quiet);
        warnIfUnused(events, parsed, passed);
        CountDownLatch stop = new CountDownLatch(1);
        // Accept=yes (inetd's nowait): systemd starts us for one connection, and we end with it.
        boolean oneConnection = passed.keySet().stream().anyMatch(s -> s.transport() == Transport.TCP && !s.listening());
        if (oneConnection && (passed.size() > 1 || !specs.isEmpty())) {
            throw new Main.UsageException("socket activation passed a connection (a unit with Accept=yes) beside other sockets; "
                    + "serve it alone, or set Accept=no");
        }
        if (engine != null && engine.unavailable().isPresent()) {
            throw new IOException("the " + engine.label() + " engine cannot run here: " + engine.unavailable().get() + " (use --engine threads)");
        }
        // Not given, the limit follows the heap (Server.defaultMaxConnections). That is no warning: a machine with
        // less than ~10 GiB gives the JVM less than the 2.5 GiB that 10,000 need at worst; said with the engine line.
        int limit = maxConnections != null ? maxConnections : Server.defaultMaxConnections(Server.DEFAULT_BUFFER_SIZE);
        String limitNote = "";
        if (limit < Server.DEFAULT_MAX_CONNECTIONS && maxConnections == null) {
            long heapNeeded = 2L * (2L * Server.DEFAULT_BUFFER_SIZE * Server.DEFAULT_MAX_CONNECTIONS) >> 20;
            limitNote = "at most " + limit + " connections at once, not " + Server.DEFAULT_MAX_CONNECTIONS + ": what half the "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB heap holds with every buffer full; SOCKIT_JAVA_OPTS=-Xmx"
                    + (heapNeeded + 1023) / 1024 + "g or --max-connections for more";
        }
        Server.Builder builder = Server.builder().settings(settings).events(oneConnection ? endingWithTheConnection(events, stop) : events)
                .iterative(iterative).engine(engine)
                .maxConnections(limit).maxPerSource(maxPerSource).access(access).portOffset(portOffset).idleTimeout(idleTimeout).grace(grace)
                .replyLimits(limits).reportEvery(reportEvery).socketMode(socketMode == null ? -1 : socketMode);
        if (busyPoll != null) {
            if (busyPoll.compareTo(Server.Builder.MAX_BUSY_POLL) > 0) {
                throw new Main.UsageException("--busy-poll must be from 0 to " + Server.Builder.MAX_BUSY_POLL.toMillis() + "ms, not "
                        + spec.commandLine().getParseResult().matchedOption("--busy-poll").originalStringValues().getLast());
            }
            builder.busyPoll(busyPoll);
        }
        if (account != null) {
            builder.runAs(account);
        }
        for (Spec spec : parsed) {
            var options = socketOptions.resolve(spec.service().name());
            spec.transports().forEach(t -> builder.serve(spec.service(), t, spec.endpoint(), options));
        }
        passed.forEach((socket, service) -> builder.serve(service, socket, socketOptions.resolve(service.name())));

        // SIGHUP too (the terminal or ssh session that started it went away): a stop as graceful as
        // SIGTERM's, not the JVM's default of exiting at once. Under nohup it stays ignored.
        // One handler for the whole run, so that a second signal hard on the first is never taken for it.
        // A second SIGHUP is no order to hurry: a terminal that hangs up sends one, then its session leader's exit another.
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        for (String signal : STOP_SIGNALS) {
            Signal.handle(new Signal(signal), s -> {
                if (stopping.compareAndSet(false, true)) {
                    stop.countDown();
                } else if (!s.getName().equals("HUP")) {
                    leaveNow(events);
                }
            });
        }
        Server server;
        try {
            server = builder.start();
        } catch (ListenException e) {
            throw new IOException(withHint(e), e);
        }
        if (account != null) {
            events.user(account);
        }
        if (oneConnection) {
            stop.await(); // the connection's end (said as any connection's), or a signal
            server.stop(grace);
            drainLog();
            return 0;
        }
        if (!access.isOpen()) {
            events.access(access);
        }
        if (server.listeners().stream().anyMatch(l -> l.transport() == Transport.TCP)) {
            String note = busyPollNote(server.engine());
            events.engine(server.engine().label(), note.isEmpty() || limitNote.isEmpty() ? note + limitNote : note + "; " + limitNote);
        }
        stop.await();
        server.stopAccepting();
        events.stopping(grace);
        boolean drained = server.stop(grace);
        events.stopped(drained);
        drainLog();
        return 0;
    }

    private void drainLog() {
        if (log != null) {
            log.drain(java.time.Duration.ofSeconds(2));
        }
    }

    /** The log line that says how many lines a stalled stderr cost, in the log's own form. */
    private String droppedLogLines(long n) {
        return EventPrinter.warningLine(json, n + " log " + (n == 1 ? "line" : "lines") + " dropped: stderr did not keep up") + "\n";
    }

    /** An option for a service that is not served, or for Unix sockets where there are none, does nothing: said, not refused (an args file may serve less some days). */
    private void warnIfUnused(EventPrinter events, List<Spec> parsed, Map<InheritedSocket, Service> passed) {
        java.util.Set<String> served = new java.util.HashSet<>();
        parsed.forEach(p -> served.add(p.service().name()));
        passed.values().forEach(v -> served.add(v.name()));
        if (quotes != null && !served.contains("qotd")) {
            events.warning("--quotes has nothing to do: qotd is not served");
        }
        if (given("--daytime-format") && !served.contains("daytime")) {
            events.warning("--daytime-format has nothing to do: daytime is not served");
        }
        if (socketMode != null && parsed.stream().noneMatch(p -> p.endpoint() instanceof Endpoint.Unix u && !u.abstractName())) {
            events.warning("--socket-mode has nothing to do: no SPEC makes a Unix socket file");
        }
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The signals that stop the server gracefully; a second SIGTERM or SIGINT while it drains stops it at once. */
    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT", "HUP");

    /** A second signal while draining: the connections still open are cut, and that is said. */
    private void leaveNow(EventPrinter events) {
        events.failed("stopped at once by a second signal; connections still open were cut");
        log.drain(java.time.Duration.ofSeconds(1)); // a moment only: a stalled stderr (Ctrl-S) must not keep the process from leaving
        Runtime.getRuntime().halt(1);
    }

    /**
     * The events of a server started for one connection: only the connection's end is said (one line
     * per connection, as inetd logs), and it ends the server.
     */
    private static ServerEvents endingWithTheConnection(EventPrinter events, CountDownLatch stop) {
        return new ServerEvents() {
            @Override
            public void connectionEnded(ConnectionRecord record) {
                events.connectionEnded(record);
                stop.countDown();
            }

            @Override
            public void warning(String message) {
                events.warning(message);
            }
        };
    }

    /**
     * The sockets systemd passed (socket activation), each with the service it is for: the one its
     * name says (FileDescriptorName=), else the one whose standard port (plus --port-offset) it is on.
     * Passed sockets are served instead of the six defaults, and beside any SPEC given.
     */
    private Map<InheritedSocket, Service> passedSockets() throws IOException {
        List<InheritedSocket> sockets;
        try {
            sockets = SocketActivation.inherited();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e); // the environment's fault, not the command line's
        }
        Map<InheritedSocket, Service> passed = new LinkedHashMap<>();
        for (InheritedSocket socket : sockets) {
            Optional<Service> named = Service.named(socket.name());
            // systemd names a socket by its unit (sockit.socket) unless FileDescriptorName= says otherwise.
            if (named.isEmpty() && !socket.name().isEmpty() && !socket.name().endsWith(".socket")) {
                throw new Main.UsageException("socket activation passed " + socket + ": FileDescriptorName=" + socket.name()
                        + " names no service; services: " + Service.names());
            }
            Optional<Service> byPort = socket.local() instanceof Endpoint.Inet i
                    ? Service.standard().stream().filter(sv -> sv.port() + portOffset == i.port()).findFirst() : Optional.empty();
            Service service = named.or(() -> byPort).orElseThrow(() -> new Main.UsageException("socket activation passed " + socket
                    + ", and nothing says which service it is for: name it in its .socket unit with FileDescriptorName=SERVICE ("
                    + Service.names() + "), or listen on a service's standard port"
                    + (portOffset > 0 ? " plus --port-offset" : "")));
            passed.put(socket, service);
        }
        return passed;
    }

    private ReplyLimits replyLimits() {
        rate("--reply-rate", replyRate);
        rate("--global-reply-rate", globalReplyRate);
        if (replyBurst < 1) {
            throw new Main.UsageException("--reply-burst must be at least 1, not " + replyBurst);
        }
        if (replySources < 1) {
            throw new Main.UsageException("--reply-sources must be at least 1, not " + replySources);
        }
        if (noReplyLimits) {
            for (String limit : List.of("--reply-rate", "--reply-burst", "--global-reply-rate")) {
                if (given(limit)) {
                    throw new Main.UsageException("--no-reply-limits and " + limit + " contradict each other; give one");
                }
            }
        }
        double perSource = noReplyLimits ? 0 : replyRate;
        double global = noReplyLimits ? 0 : globalReplyRate;
        int globalBurst = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(global)));
        return new ReplyLimits(!answerAnySource, perSource, replyBurst, global, globalBurst, replySources);
    }

    /** A reply rate must be a number from 0 up: NaN too is refused (NaN > 0 is false, which silently turned the limit off). */
    private static void rate(String option, double rate) {
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            String shown = Double.isFinite(rate) ? java.math.BigDecimal.valueOf(rate).stripTrailingZeros().toPlainString() : String.valueOf(rate);
            throw new Main.UsageException(option + " must be a number from 0 up (0 turns the limit off), not " + shown);
        }
    }

    /** Why the engine does not busy-poll, when it was left to choose and chose not to; else empty. */
    private String busyPollNote(EngineKind kind) {
        if (busyPoll != null) {
            return "";
        }
        java.util.OptionalDouble quota = dev.sockit.linux.CpuQuota.ofThisProcess();
        return quota.isPresent() ? "no busy polling: a CPU quota limits this process to " + dev.sockit.linux.CpuQuota.describe(quota.getAsDouble()) : "";
    }

    /** Reads an engine name: threads or epoll. */
    static final class EngineConverter implements picocli.CommandLine.ITypeConverter<EngineKind> {
        @Override
        public EngineKind convert(String value) {
            try {
                return EngineKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Reads an octal file mode: 0660, 660 or 0o660. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String v = value.strip();
            if (v.startsWith("0o")) {
                v = v.substring(2);
            }
            if (!v.matches("[0-7]{1,4}") || Integer.parseInt(v, 8) > 0777) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a file mode; write it in octal, e.g. 0660");
            }
            return Integer.parseInt(v, 8);
        }
    }

    private String bindHost() {
        if (bind.isEmpty()) {
            return "";
        }
        if (bind.regionMatches(true, 0, "unix:", 0, 5)) {
            throw new Main.UsageException("--bind takes an IP address or a host name; a Unix socket is a SPEC of its own, e.g. echo@" + bind);
        }
        String h = bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
        Endpoint e;
        try {
            e = Endpoint.parse(h.contains(":") ? "[" + h + "]:0" : h + ":0");
        } catch (IllegalArgumentException ex) {
            throw new Main.UsageException("--bind '" + bind + "': " + ex.getMessage().replaceFirst("^bad endpoint '[^']*': ", ""));
        }
        return ((Endpoint.Inet) e).host();
    }

    private static String withHint(ListenException e) {
        String m = e.getMessage();
        return switch (e.reason()) {
            case PERMISSION -> m.endsWith(")") ? m.substring(0, m.length() - 1) + "; try --port-offset 10000)" : m + " (try --port-offset 10000)";
            default -> m;
        };
    }

    private static <T> T usage(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }
}
