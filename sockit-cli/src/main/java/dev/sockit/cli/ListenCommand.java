package dev.sockit.cli;

import dev.sockit.client.Acceptor;
import dev.sockit.client.Connection;
import dev.sockit.client.ConnectionHandler;
import dev.sockit.client.DatagramListener;
import dev.sockit.client.DatagramRelay;
import dev.sockit.client.ExecHandler;
import dev.sockit.client.PrefixedLines;
import dev.sockit.client.Relay;
import dev.sockit.client.UnsupportedTransportException;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "listen",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Listen on ENDPOINT, accept one client and relay like 'nc -l': the client's bytes to stdout, stdin to the client.",
                "",
                "--keep-open serves many clients at once, each on a thread of its own, and prints each client's lines prefixed by its address (the classic concurrent server; a last line without its newline gets one). stdin goes to no one then: unlike ncat -k, which sends it to every client, with many clients it is not clear whose it is. --exec CMD runs CMD (with /bin/sh -c) for each connection, the socket as its stdin and stdout, as inetd does; SOCKIT_PEER holds the client's address.",
                "",
                "The real address is printed on stderr at start (port 0 picks a free port). --udp: the first datagram's sender becomes the peer; with --keep-open every datagram is printed, prefixed by its sender.",
                "",
                "Unix sockets: unix:/path (the file is removed on exit) or unix:@name (Linux abstract namespace, no file); with --udp, a Unix datagram socket.",
                ""},
        footer = {"",
                "Examples:",
                "  sockit listen :5000 > received.bin               take one upload",
                "  sockit listen 127.0.0.1:0                        any free port; the real one is printed",
                "  sockit listen :15000 --keep-open                 print what every client sends",
                "  sockit listen :5000 --keep-open --exec 'tr a-z A-Z'",
                "  sockit listen unix:/tmp/app.sock --exec cat",
                "  sockit listen unix:@app --keep-open              an abstract name, no file",
                "  sockit listen :5353 --udp --keep-open",
                "  sockit listen unix:/tmp/log.sock --udp -k        Unix datagrams, by sender"})
final class ListenCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ENDPOINT", description = ":PORT (every address), HOST:PORT, [IPv6]:PORT, unix:/path or unix:@name.")
    String where;

    @Option(names = {"-k", "--keep-open"}, description = "Serve client after client, many at once, instead of one and done.")
    boolean keepOpen;

    @Option(names = {"-e", "--exec"}, paramLabel = "CMD", description = "Run CMD for each connection, its stdin and stdout connected to the socket. Without --keep-open, listen exits with CMD's exit status.")
    String exec;

    @Option(names = {"-u", "--udp"}, description = "Listen for datagrams: UDP, or Unix datagrams on a unix: endpoint.")
    boolean udp;

    @Option(names = "--no-half-close", description = "When stdin ends, send no FIN (no half-close) and read on until the client closes, as ncat --no-shutdown.")
    boolean noHalfClose;

    @Option(names = "--max-connections", paramLabel = "N", description = "With --keep-open: clients served at once; more wait in the backlog (default: ${DEFAULT-VALUE}).")
    int maxConnections = 1000;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close a connection that sends nothing for this long (default: never).")
    Duration timeout = Duration.ZERO;

    @Option(names = {"-v", "--verbose"}, description = "Tell on stderr when each client connects and leaves.")
    boolean verbose;

    @Mixin
    SocketOptionsMixin socket = new SocketOptionsMixin();

    @Spec
    CommandSpec spec;

    private final PrintStream err = System.err;
    /** A signal is ending the process: the listener was closed under the waiting thread on purpose. */
    private volatile boolean ending;

    @Override
    public Integer call() throws Exception {
        try {
            return listen();
        } catch (IOException | java.io.UncheckedIOException e) {
            if (ending) {
                return 143; // the JVM exits by the signal; nothing to say about the accept it cut short
            }
            throw e;
        }
    }

    private int listen() throws Exception {
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(where);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        if (!keepOpen && given("--max-connections")) {
            throw new Main.UsageException("--max-connections is for --keep-open; without it listen serves one client");
        }
        if (udp && noHalfClose) {
            throw new Main.UsageException("--no-half-close is for stream sockets; a datagram socket has no half-close");
        }
        if (maxConnections < 1) {
            throw new Main.UsageException("--max-connections must be at least 1, not " + maxConnections);
        }
        if (timeout.isNegative()) {
            throw new Main.UsageException("--timeout must not be negative");
        }
        try {
            UnsupportedTransportException.check(udp ? Transport.UDP : Transport.TCP, endpoint); // only where libc cannot be used
        } catch (UnsupportedTransportException e) {
            throw new Main.UsageException(e.getMessage());
        }
        socket.requireTcp(endpoint, udp ? Transport.UDP : Transport.TCP);
        if (udp) {
            if (exec != null) {
                throw new Main.UsageException("--exec needs a stream socket: drop --udp");
            }
            return listenUdp(endpoint);
        }
        socket.validate(java.util.List.of(), false);
        Acceptor acceptor = Acceptor.bind(endpoint, keepOpen ? 4096 : 1, socket.resolve(null));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> end(acceptor)));
        err.println("sockit: listening on " + Transport.TCP.label(acceptor.endpoint()) + " " + acceptor.endpoint());
        ExecHandler handler = exec != null ? ExecHandler.shell(exec) : null;
        if (keepOpen) {
            ConnectionHandler each = handler != null ? handler : new PrefixedLines(PrefixedLines.printingTo(System.out));
            acceptor.serve(verbose ? announced(each) : each, maxConnections, timeout, problem -> err.println("sockit: " + problem));
            return 0;
        }
        Connection c = acceptor.accept(timeout);
        acceptor.close(); // one client only, as nc -l: later ones are refused
        if (verbose) {
            err.println("sockit: connection from " + c.peer());
        }
        if (handler != null) {
            return handler.run(c); // its exit status is ours, as the one program run
        } else {
            new Relay(!noHalfClose, Stdin.isTerminal()).run(c, Stdin.stream(), System.out);
        }
        return 0;
    }

    private int listenUdp(Endpoint endpoint) throws IOException {
        DatagramListener l = DatagramListener.bind(endpoint);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> end(l))); // a Unix socket's file goes too
        err.println("sockit: listening on " + Transport.UDP.label(l.endpoint()) + " " + l.endpoint());
        if (keepOpen) {
            l.printEach(PrefixedLines.printingTo(System.out));
            return 0;
        }
        DatagramListener.First first = l.awaitFirst(timeout);
        if (verbose && first.link().isPresent()) {
            err.println("sockit: first datagram from " + first.sender() + "; it is the peer from now on");
        }
        Relay.writeOut(System.out, first.payload(), 0, first.payload().length);
        if (first.link().isEmpty()) {
            err.println("sockit: the first datagram came from " + first.sender() + ", a socket with no address, which cannot be answered;"
                    + " printing what comes, not sending stdin (the sender must bind its socket to be answered)");
            l.copyEach(System.out);
            return 0;
        }
        try {
            new DatagramRelay(false, null).run(first.link().get(), Stdin.stream(), System.out);
        } finally {
            l.close();
        }
        return 0;
    }

    private ConnectionHandler announced(ConnectionHandler h) {
        return c -> {
            err.println("sockit: connection from " + c.peer());
            try {
                h.handle(c);
            } finally {
                err.println("sockit: " + c.peer() + " closed");
            }
        };
    }

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private void end(AutoCloseable listener) {
        ending = true;
        closeQuietly(listener);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // exiting anyway
        }
    }
}
