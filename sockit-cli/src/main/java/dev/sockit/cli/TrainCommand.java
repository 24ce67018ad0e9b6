package dev.sockit.cli;

import picocli.CommandLine.Command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training run for the JVM's AOT cache (JEP 483, 514): the {@code sockit} launcher runs
 * {@code java -XX:AOTCacheOutput=... -jar sockit.jar train} once per build, and later runs start with the
 * classes it used already loaded and linked. So it does what users do: runs the daytime, time, echo and
 * qotd clients, over TCP and UDP, plain and --json, through {@link Main}'s own command line, against
 * {@code sockit serve} on 127.0.0.1 (port 0); then every command's --help, --version, a name with two
 * addresses, a usage error. Output is discarded; loopback only; each client is bounded by --timeout.
 * Exit 0, or 1 naming the first run that failed.
 *
 * <p>The server is a child process, not a {@link dev.sockit.server.Server} in this JVM: with AOT class
 * linking every class in the cache is loaded at every start, and the server's ~500 (its engine, FFM,
 * virtual threads) made each one-shot {@code sockit daytime} ~20-40 ms slower on a 2-CPU VM, to win
 * ~50 ms once at a daemon's start.
 */
@Command(name = "train", hidden = true, mixinStandardHelpOptions = true,
        description = "Exercise sockit for the JVM's AOT cache (the launcher runs this once per build).")
final class TrainCommand implements java.util.concurrent.Callable<Integer> {

    private static final List<String> SERVICES = List.of("daytime", "time", "echo", "qotd");
    /** serve's start-up line, e.g. "sockit: echo listening on udp 127.0.0.1:40123". */
    private static final Pattern LISTENING = Pattern.compile("sockit: (\\S+) listening on (tcp|udp) (127\\.0\\.0\\.1:\\d+)");

    @Override
    public Integer call() throws Exception {
        Process server = startServer();
        try {
            Map<String, String> at = endpoints(server);
            return run(runs(at));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** {@code sockit serve} from this very class path, with the access a sockit JVM has (as the jar's manifest grants). */
    private static Process startServer() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--quiet", "--grace", "1s"));
        SERVICES.forEach(s -> cmd.add(s + "@127.0.0.1:0"));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    }

    /** "daytime/tcp" → "127.0.0.1:40123", for every service and transport, once the server has said where it listens. */
    private static Map<String, String> endpoints(Process server) throws Exception {
        Map<String, String> at = new ConcurrentHashMap<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            StringBuilder said = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) { // read to the end: the server must never block on a full pipe
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                        at.put(m.group(1) + "/" + m.group(2), m.group(3));
                        if (at.size() == 2 * SERVICES.size()) {
                            ready.complete(null);
                        }
                    } else if (said.length() < 2000) {
                        said.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the server ended
            }
            ready.completeExceptionally(new IOException("sockit serve ended before it listened: " + said.toString().strip()));
        });
        try {
            ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("sockit serve did not listen within 60 s");
        } catch (java.util.concurrent.ExecutionException e) {
            throw (IOException) e.getCause();
        }
        return at;
    }

    /** A command line and the exit code it must give. */
    private record Run(int exit, String... args) {
    }

    private static List<Run> runs(Map<String, String> at) {
        List<Run> runs = new ArrayList<>();
        for (String name : SERVICES) {
            List<String> text = name.equals("echo") ? List.of("--text", "hello") : List.of();
            runs.add(new Run(0, client(name, at.get(name + "/tcp"), text)));
            runs.add(new Run(0, client(name, at.get(name + "/tcp"), text, "--json")));
            runs.add(new Run(0, client(name, at.get(name + "/udp"), text, "--udp")));
        }
        // localhost is ::1 and 127.0.0.1: the first is refused (or unreachable), Happy Eyeballs goes on to the second.
        runs.add(new Run(0, client("daytime", at.get("daytime/tcp").replace("127.0.0.1", "localhost"), List.of(), "-v")));
        runs.add(new Run(2, "daytime", "127.0.0.1:99999"));
        runs.add(new Run(0, "--help"));
        runs.add(new Run(0, "--version"));
        for (String command : Main.commandNames()) {
            runs.add(new Run(0, command, "--help"));
        }
        return runs;
    }

    private static String[] client(String command, String server, List<String> more, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, server, "--timeout", "5s"));
        a.addAll(more);
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** Runs each through Main with every stream discarded: the commands print to System.out/err too. */
    private static int run(List<Run> runs) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        PrintWriter nowhere = new PrintWriter(discard, true);
        System.setOut(discard);
        System.setErr(discard);
        try {
            for (Run r : runs) {
                int code = Main.run(nowhere, nowhere, r.args());
                if (code != r.exit()) {
                    err.println("sockit: train: 'sockit " + String.join(" ", r.args()) + "' exited " + code + ", not " + r.exit());
                    return 1;
                }
            }
            return 0;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
