package dev.sockit.cli;

import dev.sockit.net.KeepAlive;
import dev.sockit.net.SocketOptions;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Stack;
import java.util.function.BiFunction;

/**
 * The socket options every sockit socket takes. On {@code serve}, each value may be scoped to one
 * service with a {@code SERVICE=} prefix ({@code --keepalive echo=1,1,3}); unscoped values apply to all.
 */
final class SocketOptionsMixin {

    @Option(names = "--keepalive", paramLabel = "[SERVICE=]IDLE,INTERVAL,COUNT",
            description = "TCP keepalive: probe after IDLE s of silence, every INTERVAL s, declare the peer dead after COUNT unanswered probes (e.g. 1,1,10; Linux ranges 1..32767, 1..32767, 1..127), or off.")
    List<String> keepAlive = new ArrayList<>();

    @Option(names = "--nodelay", paramLabel = "SERVICE", arity = "0..1", fallbackValue = "*", preprocessor = AttachedOnly.class,
            description = "TCP_NODELAY: send small writes at once (no Nagle). sockit serve sets it on the TCP connections it accepts unless told --nagle.")
    List<String> noDelay = new ArrayList<>();

    @Option(names = "--nagle", paramLabel = "SERVICE", arity = "0..1", fallbackValue = "*", preprocessor = AttachedOnly.class,
            description = "TCP_NODELAY off: keep Nagle's algorithm, which holds back small writes while data is unacknowledged.")
    List<String> nagle = new ArrayList<>();

    @Option(names = "--rcvbuf", paramLabel = "[SERVICE=]BYTES", description = "SO_RCVBUF, e.g. 262144 or 256k (the kernel doubles it).")
    List<String> receiveBuffer = new ArrayList<>();

    @Option(names = "--sndbuf", paramLabel = "[SERVICE=]BYTES", description = "SO_SNDBUF, e.g. 262144 or 256k.")
    List<String> sendBuffer = new ArrayList<>();

    @Option(names = "--linger", paramLabel = "[SERVICE=]SECONDS",
            description = "SO_LINGER: close waits up to SECONDS to send what is queued; 0 resets at once.")
    List<String> linger = new ArrayList<>();

    @Option(names = "--reuseport", paramLabel = "SERVICE", arity = "0..1", fallbackValue = "*", preprocessor = AttachedOnly.class,
            description = "SO_REUSEPORT on listeners: several processes share one port, the kernel spreads the connections.")
    List<String> reusePort = new ArrayList<>();

    /**
     * A flag's service is taken only when attached ({@code --nodelay=echo}): picocli would otherwise take
     * the next word, so that {@code --nodelay localhost:7} named a service "localhost:7" and
     * {@code serve --reuseport daytime} served everything with SO_REUSEPORT on daytime only.
     */
    static final class AttachedOnly implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
            if (" ".equals(info.get("separator"))) {
                args.push("*"); // not attached: the flag alone, for every service
            }
            return false;
        }
    }

    /**
     * Shows a client command's socket options as a client takes them: no {@code SERVICE=} forms (those
     * are serve's), no serve-only wording, and no {@code --reuseport} where nothing listens.
     */
    static void forClient(CommandSpec spec, boolean listens) {
        List<OptionSpec> all = new ArrayList<>(spec.options());
        int first = 0;
        while (first < all.size() && !CLIENT_WORDING.containsKey(all.get(first).longestName())) {
            first++;
        }
        // removed and added again in order, since the help lists options as declared
        List<OptionSpec> tail = all.subList(first, all.size());
        tail.forEach(spec::remove);
        for (OptionSpec o : tail) {
            String[] wording = CLIENT_WORDING.get(o.longestName());
            if (o.longestName().equals("--reuseport") && !listens) {
                continue;
            }
            if (wording == null) {
                spec.addOption(o);
                continue;
            }
            OptionSpec.Builder b = o.toBuilder();
            if (o.arity().min() == 0) {
                b.arity("0").preprocessor(new ClientFlag()); // a plain flag here: no =SERVICE to show or take
            } else {
                b.paramLabel(wording[0]);
            }
            if (wording[1] != null) {
                b.description(wording[1]);
            }
            spec.addOption(b.build());
        }
    }

    /** A client's flag: always for the one socket there is. */
    private static final class ClientFlag implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
            if (!" ".equals(info.get("separator"))) {
                throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                        "'" + ((OptionSpec) argSpec).longestName() + "=" + args.peek() + "': naming a service (SERVICE=...) is for sockit serve only");
            }
            @SuppressWarnings("unchecked")
            List<String> values = (List<String>) ((OptionSpec) argSpec).getValue();
            List<String> more = new ArrayList<>(values == null ? List.of() : values);
            more.add("*");
            argSpec.setValue(more);
            return true; // consumed: nothing more to take
        }
    }

    /**
     * --keepalive, --nodelay and --nagle are TCP's: on a Unix socket or over UDP they would do nothing,
     * silently, where the user expects them to (keepalive above all).
     */
    void requireTcp(dev.sockit.net.Endpoint endpoint, dev.sockit.net.Transport transport) {
        boolean tcp = endpoint instanceof dev.sockit.net.Endpoint.Inet && transport == dev.sockit.net.Transport.TCP;
        if (tcp) {
            return;
        }
        String what = endpoint instanceof dev.sockit.net.Endpoint.Unix
                ? (transport == dev.sockit.net.Transport.UDP ? "a Unix datagram socket" : "a Unix stream socket") : "UDP";
        String given = keepAlive.stream().anyMatch(v -> !v.strip().equalsIgnoreCase("off")) ? "--keepalive" // off is so anyway
                : !noDelay.isEmpty() ? "--nodelay" : !nagle.isEmpty() ? "--nagle" : null;
        if (given != null) {
            throw new Main.UsageException(given + " is a TCP option; " + endpoint + " is " + what + ", where it does nothing");
        }
    }

    /** Per option: the client's parameter label, and its description where serve's would mislead. */
    private static final Map<String, String[]> CLIENT_WORDING = Map.of(
            "--keepalive", new String[] {"IDLE,INTERVAL,COUNT", null},
            "--nodelay", new String[] {"", "TCP_NODELAY: send small writes at once (no Nagle)."},
            "--nagle", new String[] {"", null},
            "--rcvbuf", new String[] {"BYTES", null},
            "--sndbuf", new String[] {"BYTES", null},
            "--linger", new String[] {"SECONDS", null},
            "--reuseport", new String[] {"", "SO_REUSEPORT on the listening socket: several processes share one port."});

    /** The options for one service ({@code null}: a client, where SERVICE= prefixes make no sense). */
    SocketOptions resolve(String service) {
        SocketOptions o = SocketOptions.DEFAULTS;
        o = apply(o, "--keepalive", keepAlive, service, (x, v) -> x.withKeepAlive(KeepAlive.parse(v)));
        o = applyFlag(o, "--nodelay", noDelay, service, x -> x.withNoDelay(true));
        o = applyFlag(o, "--nagle", nagle, service, x -> x.withNoDelay(false));
        o = apply(o, "--rcvbuf", receiveBuffer, service, (x, v) -> x.withReceiveBuffer(bytes(v)));
        o = apply(o, "--sndbuf", sendBuffer, service, (x, v) -> x.withSendBuffer(bytes(v)));
        o = apply(o, "--linger", linger, service, (x, v) -> x.withLinger(Duration.ofSeconds(seconds(v))));
        o = applyFlag(o, "--reuseport", reusePort, service, x -> x.withReusePort(true));
        return o;
    }

    /** Checks every value once, so a bad one fails at start whichever service it names. */
    void validate(List<String> services, boolean scoped) {
        List<String> scopes = new ArrayList<>();
        for (List<String> values : List.of(keepAlive, receiveBuffer, sendBuffer, linger)) {
            for (String v : values) {
                int eq = v.indexOf('=');
                if (eq > 0 && Character.isLetter(v.charAt(0))) {
                    scopes.add(v.substring(0, eq));
                }
            }
        }
        for (List<String> flags : List.of(noDelay, nagle, reusePort)) {
            flags.stream().filter(v -> !v.equals("*")).forEach(scopes::add);
        }
        for (String v : noDelay) {
            if (nagle.stream().anyMatch(n -> n.equalsIgnoreCase(v))) {
                throw new Main.UsageException("--nodelay and --nagle contradict each other" + (v.equals("*") ? "" : " for " + v) + "; give one");
            }
        }
        for (String scope : scopes) {
            if (!scoped) {
                throw new Main.UsageException("'" + scope + "': naming a service (SERVICE=...) is for sockit serve only");
            }
            if (!services.contains(scope.toLowerCase(Locale.ROOT))) {
                throw new Main.UsageException("an option names service '" + scope + "', which is not being served (serving: "
                        + String.join(", ", services) + ")");
            }
        }
        services.forEach(this::resolve);
        if (services.isEmpty()) {
            resolve(null);
        }
    }

    private static SocketOptions apply(SocketOptions o, String flag, List<String> values, String service,
                                       BiFunction<SocketOptions, String, SocketOptions> with) {
        // Unscoped values first, then the service's own, so the narrower one wins.
        for (boolean scopedPass : new boolean[] {false, true}) {
            for (String v : values) {
                int eq = v.indexOf('=');
                boolean scoped = eq > 0 && Character.isLetter(v.charAt(0));
                if (scoped != scopedPass) {
                    continue;
                }
                if (scoped && !v.substring(0, eq).equalsIgnoreCase(String.valueOf(service))) {
                    continue;
                }
                String value = scoped ? v.substring(eq + 1) : v;
                try {
                    o = with.apply(o, value);
                } catch (IllegalArgumentException e) {
                    throw new Main.UsageException(flag + ": " + e.getMessage());
                }
            }
        }
        return o;
    }

    private static SocketOptions applyFlag(SocketOptions o, String flag, List<String> values, String service,
                                           java.util.function.UnaryOperator<SocketOptions> with) {
        for (String v : values) {
            if (v.equals("*") || v.equalsIgnoreCase(String.valueOf(service))) {
                return with.apply(o);
            }
        }
        return o;
    }

    static int bytes(String v) {
        String t = v.strip().toLowerCase(Locale.ROOT);
        int mult = 1;
        if (t.endsWith("k")) {
            mult = 1024;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            mult = 1024 * 1024;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long n = Long.parseLong(t) * mult;
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("'" + v + "' is out of range");
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a size in bytes (e.g. 262144 or 256k)");
        }
    }

    private static int seconds(String v) {
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 0 || n > 65535) {
                throw new IllegalArgumentException("must be from 0 to 65535 seconds, not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not a whole number of seconds");
        }
    }
}
