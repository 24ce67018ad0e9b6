package dev.sockit.cli;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.ListenException;
import dev.sockit.server.Server;
import dev.sockit.server.Spec;
import dev.sockit.service.Daytime;
import dev.sockit.service.Qotd;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;

@Command(name = "serve",
        usageHelpAutoWidth = true,
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Serve the Internet small services until stopped (SIGTERM or Ctrl-C), then let open connections finish for the --grace period.",
                "",
                "SPEC is SERVICE[/tcp][@ENDPOINT]. Services: echo (RFC 862, port 7), discard (863, port 9), daytime (867, port 13), qotd (865, port 17), chargen (864, port 19), time (868, port 37), and sink (no standard port), which prints each client's lines to stdout prefixed by its address.",
                "",
                "No SPEC: the six standard services on their standard ports (plus --port-offset). Without a host, a listener takes every address, IPv4 and IPv6 (or the --bind address).",
                ""},
        footer = {"",
                "Examples:",
                "  sockit serve --port-offset 10000        all six services on ports 10007..10037",
                "  sockit serve echo@:7007 daytime@127.0.0.1:1313",
                "  sockit serve echo@[::1]:0               any free port; the real one is printed",
                "  sockit serve sink@:15000                print what clients send",
                "  sockit serve daytime --iterative --port-offset 10000",
                "  sockit serve echo@:7007 discard@:7009 --keepalive echo=1,1,3 --nodelay",
                "",
                "On start, one line per listener gives its real address; at each connection's end, a line gives the client, the bytes in and out, the duration and how it ended. Both go to stderr; sink's data goes to stdout."})
final class ServeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", arity = "0..*", description = "What to serve, e.g. echo, echo@:7007, daytime@[::1]:1313.")
    List<String> specs = new ArrayList<>();

    @Option(names = "--port-offset", paramLabel = "N", description = "Added to each standard port (default: ${DEFAULT-VALUE}).")
    int portOffset;

    @Option(names = "--bind", paramLabel = "ADDR",
            description = "Address for listeners that name no host (default: every address, IPv4 and IPv6).")
    String bind = "";

    @Option(names = "--iterative", description = "Serve one connection at a time per listener, like the classic iterative servers.")
    boolean iterative;

    @Option(names = "--grace", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On stop, how long open connections may finish (default: 5s).")
    Duration grace = Duration.ofSeconds(5);

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections served at once; more wait in the kernel backlog (default: ${DEFAULT-VALUE}).")
    int maxConnections = 10_000;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a connection that moves no byte for this long (default: never).")
    Duration idleTimeout = Duration.ZERO;

    @Option(names = "--daytime-format", paramLabel = "FORMAT",
            description = "The daytime line: ctime (Wed Nov 25 03:07:10 2026, as inetd), rfc3339 (2026-11-25T03:07:10Z) or rfc5322 (default: ctime).")
    String daytimeFormat = "ctime";

    @Option(names = "--quotes", paramLabel = "FILE",
            description = "qotd quotations, fortune-style: separated by lines holding only %%, or by blank lines; each under 512 bytes.")
    Path quotes;

    @picocli.CommandLine.Mixin
    SocketOptionsMixin socketOptions = new SocketOptionsMixin();

    @Option(names = "--json", description = "Print events as JSON, one object per line.")
    boolean json;

    @Option(names = "--quiet", description = "Do not log each connection's end.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (portOffset < 0 || portOffset > 65535) {
            throw new Main.UsageException("--port-offset must be from 0 to 65535, not " + portOffset);
        }
        if (maxConnections < 1) {
            throw new Main.UsageException("--max-connections must be at least 1, not " + maxConnections);
        }
        String bindHost = bindHost();
        Settings settings = Settings.defaults().withDaytime(usage(() -> Daytime.Format.of(daytimeFormat)));
        if (quotes != null) {
            try {
                settings = settings.withQuotes(Qotd.load(quotes));
            } catch (IOException e) {
                throw new IOException("cannot read quotes file " + quotes + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new Main.UsageException(e.getMessage());
            }
        }
        List<Transport> transports = List.of(Transport.TCP);
        List<Spec> parsed = new ArrayList<>();
        if (specs.isEmpty()) {
            for (Service s : Service.standard()) {
                parsed.add(usage(() -> Spec.parse(s.name(), portOffset, bindHost, transports)));
            }
        } else {
            for (String text : specs) {
                parsed.add(usage(() -> Spec.parse(text, portOffset, bindHost, transports)));
            }
        }
        socketOptions.validate(parsed.stream().map(s -> s.service().name()).distinct().toList(), true);
        EventPrinter events = new EventPrinter(System.err, json, !quiet);
        Server.Builder builder = Server.builder().settings(settings).events(events).iterative(iterative)
                .maxConnections(maxConnections).idleTimeout(idleTimeout).grace(grace);
        for (Spec spec : parsed) {
            var options = socketOptions.resolve(spec.service().name());
            spec.transports().forEach(t -> builder.serve(spec.service(), t, spec.endpoint(), options));
        }

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Server server;
        try {
            server = builder.start();
        } catch (ListenException e) {
            throw new IOException(withHint(e), e);
        }
        stop.await();
        // A second signal while draining means "now": leave at once.
        Signal.handle(new Signal("TERM"), s -> Runtime.getRuntime().halt(1));
        Signal.handle(new Signal("INT"), s -> Runtime.getRuntime().halt(1));
        server.stopAccepting();
        events.stopping(grace);
        boolean drained = server.stop(grace);
        events.stopped(drained);
        return 0;
    }

    private String bindHost() {
        if (bind.isEmpty()) {
            return "";
        }
        String h = bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
        Endpoint e = usage(() -> Endpoint.parse(h.contains(":") ? "[" + h + "]:0" : h + ":0"));
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
