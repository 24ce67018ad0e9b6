package dev.sockit.cli;

import dev.sockit.client.ClientOptions;
import dev.sockit.client.Connection;
import dev.sockit.client.DatagramLink;
import dev.sockit.client.DatagramRelay;
import dev.sockit.client.Dialer;
import dev.sockit.client.Relay;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "connect",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Connect to ENDPOINT and relay: stdin to the socket and the socket to stdout, both at once (what nc and socat are used for).",
                "",
                "A name is resolved to all its addresses and connected with Happy Eyeballs (RFC 8305): IPv6 first, then alternating, the next address tried after --attempt-delay or as soon as one fails; the first to connect wins. If none does, one line lists each address and why.",
                "",
                "When stdin ends, the connection is half-closed and output is read until the server closes (--no-half-close sends no FIN, for a server that stops at one, and reads on until it closes). When stdin is a terminal, the server closing ends the session.",
                "",
                "--udp: each read of stdin (or each line, with --lines) is one datagram; replies are printed; after stdin ends, replies are awaited for --timeout (default 2s).",
                "",
                "Unix sockets: unix:/path or unix:@name (Linux abstract namespace); with --udp, a Unix datagram socket, bound to a fresh abstract name of its own so the server can answer.",
                ""},
        footer = {"",
                "Examples:",
                "  echo hi | sockit connect localhost:10007       the echo comes back: hi",
                "  sockit connect example.org:80 -v               show which addresses were tried",
                "  sockit connect unix:/run/app.sock < request.bin",
                "  sockit connect unix:@app                       a Linux abstract name",
                "  echo hi | sockit connect unix:/tmp/echo.sock --udp   a Unix datagram socket",
                "  printf 'a\\nb\\n' | sockit connect localhost:10007 --udp --lines",
                "",
                "Exit codes: 0 when the session ended normally, 1 when connecting failed or the connection broke, 2 for a usage error."})
final class ConnectCommand implements Callable<Integer> {
    private static final Duration UDP_LINGER = Duration.ofSeconds(2);

    @Parameters(index = "0", paramLabel = "ENDPOINT", description = "HOST:PORT, [IPv6]:PORT, unix:/path or unix:@name.")
    String target;

    @Option(names = {"-u", "--udp"}, description = "Use datagrams (one per read of stdin): UDP, or Unix datagrams on a unix: endpoint.")
    boolean udp;

    @Option(names = "--lines", description = "With --udp: one datagram per line of stdin.")
    boolean lines;

    @Option(names = "--no-half-close", description = "When stdin ends, send no FIN (no half-close) and read on until the server closes, as ncat --no-shutdown and nc without -N.")
    boolean noHalfClose;

    @Mixin
    NetOptions net = new NetOptions();

    /**
     * A refusal from the first address of a name that has more: UDP has no handshake to try each on, so
     * the relay sends to the first alone (IPv6 first), and the line says which others there are.
     */
    private static java.io.IOException otherAddresses(Dialer dialer, Endpoint endpoint, java.net.PortUnreachableException e) {
        if (endpoint instanceof Endpoint.Inet i && !i.isLiteral()) {
            try {
                java.util.List<String> others = dialer.addresses(i).stream().skip(1)
                        .map(a -> dev.sockit.net.Addresses.format(a.getAddress())).toList();
                if (!others.isEmpty()) {
                    return new java.io.IOException(e.getMessage() + "; over UDP only the first address of '" + i.host()
                            + "' is used: name another (" + String.join(", ", others) + ") or choose a family with -4 or -6", e);
                }
            } catch (java.io.IOException ignored) {
                // it resolved a moment ago; say the refusal alone
            }
        }
        return e;
    }

    @Override
    public Integer call() throws Exception {
        Transport transport = udp ? Transport.UDP : Transport.TCP;
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(target);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
        Target.check(endpoint, transport);
        net.socket.requireTcp(endpoint, transport);
        if (lines && !udp) {
            throw new Main.UsageException("--lines applies to --udp only (a stream has no datagrams to split)");
        }
        ClientOptions options = net.relayOptions();
        Dialer dialer = net.dialer(options, System.err);
        if (udp) {
            Duration linger = net.timeout != null ? net.timeout : UDP_LINGER;
            try (DatagramLink link = dialer.datagram(endpoint)) {
                new DatagramRelay(lines, linger).run(link, Stdin.stream(), System.out);
            } catch (java.net.PortUnreachableException e) {
                throw otherAddresses(dialer, endpoint, e);
            }
            return 0;
        }
        Connection c = dialer.connect(endpoint);
        new Relay(!noHalfClose, Stdin.isTerminal()).run(c, Stdin.stream(), System.out);
        return 0;
    }
}
