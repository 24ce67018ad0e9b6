package dev.sockit.cli;

import dev.sockit.client.Attempt;
import dev.sockit.client.ClientOptions;
import dev.sockit.client.Dialer;
import dev.sockit.client.Family;
import dev.sockit.client.HappyEyeballs;
import dev.sockit.client.Resolver;
import dev.sockit.net.SocketOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** How a client command reaches its server: address family, Happy Eyeballs delay, timeouts, socket options, -v. */
final class NetOptions {

    @Mixin
    SocketOptionsMixin socket = new SocketOptionsMixin();

    @Option(names = "-4", description = "Use IPv4 addresses only.")
    boolean ipv4;

    @Option(names = "-6", description = "Use IPv6 addresses only.")
    boolean ipv6;

    @Option(names = "--attempt-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Happy Eyeballs (RFC 8305): how long one address is tried alone before the next starts too (default: 250ms).")
    Duration attemptDelay = HappyEyeballs.DEFAULT_ATTEMPT_DELAY;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up connecting, or waiting for data, after this long (default: 10s; connect waits for data as long as it takes unless this is given, as nc without -w). Over UDP: how long to wait for a reply from each address, resending every second (connect --udp: how long to wait for replies after stdin ends, default 2s).")
    Duration timeout;

    @Option(names = {"-v", "--verbose"}, description = "Tell on stderr which addresses were tried and which answered.")
    boolean verbose;

    Family family() {
        if (ipv4 && ipv6) {
            throw new Main.UsageException("-4 and -6 exclude each other; give one, or neither for both families");
        }
        return ipv4 ? Family.IPV4 : ipv6 ? Family.IPV6 : Family.ANY;
    }

    /** Options for a command whose reads are bounded by --timeout (or 10s) as well. */
    ClientOptions options() {
        Duration t = timeout == null ? ClientOptions.DEFAULT_TIMEOUT : positive(timeout);
        return new ClientOptions(Resolver.system(), family(), attemptDelay, t, t, socketOptions());
    }

    /** Options for a relay, which waits for data as long as it takes unless --timeout says otherwise. */
    ClientOptions relayOptions() {
        Duration connect = timeout == null ? ClientOptions.DEFAULT_TIMEOUT : positive(timeout);
        return new ClientOptions(Resolver.system(), family(), attemptDelay, connect, timeout == null ? Duration.ZERO : connect,
                socketOptions());
    }

    private SocketOptions socketOptions() {
        socket.validate(List.of(), false);
        return socket.resolve(null);
    }

    private static Duration positive(Duration d) {
        if (!d.isPositive()) {
            throw new Main.UsageException("--timeout must be more than 0");
        }
        return d;
    }

    Dialer dialer(ClientOptions options, PrintStream err) {
        return new Dialer(options, (peer, attempts) -> {
            if (verbose) {
                report(err, peer, attempts);
            }
        });
    }

    static void report(PrintStream err, String peer, List<Attempt> attempts) {
        for (Attempt a : attempts) {
            if (a.outcome() != Attempt.Outcome.CONNECTED) {
                err.println("sockit: " + a);
            }
        }
        err.println("sockit: connected to " + peer);
    }
}
