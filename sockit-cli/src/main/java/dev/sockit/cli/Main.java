package dev.sockit.cli;

import dev.sockit.client.Relay;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/** The {@code sockit} command: parses, calls the library, prints. */
@Command(name = "sockit",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        usageHelpAutoWidth = true,
        description = {
                "The classic POSIX socket programs, made real: a daemon for the Internet small services (echo, discard, chargen, qotd, daytime, time, and a sink that prints what clients send), over TCP and UDP, IPv4 and IPv6 alike, and Unix-domain sockets (stream and datagram); a client for each; and netcat-like connect and listen.",
                "",
                "Endpoints: HOST:PORT, :PORT (every address), [IPv6]:PORT, unix:/path, unix:@abstract."},
        footer = {"", "Exit codes: 0 success, 1 runtime or network failure, 2 usage error.",
                "Run 'sockit COMMAND --help' for a command's options."})
public final class Main implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Show stack traces on errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // UTF-8 whatever the locale: JSON requires it, and messages use it. Sink's raw bytes pass through untouched.
        System.setOut(new PrintStream(STDOUT, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests and {@link #main}). */
    public static int run(String... args) {
        return run(null, new PrintWriter(System.err, true), args);
    }

    /** Runs with the command's own output and error streams (for tests; null out: System.out). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        if (BareCall.matches(args)) {
            return BareCall.run(err, args); // the clients print to System.out, as they do through picocli
        }
        CommandLine cl = commandLine(args);
        String unreadable = unreadableArgumentFile(cl, args);
        if (unreadable != null) {
            err.println("sockit: " + unreadable);
            return 2;
        }
        if (out == null) {
            return cl.execute(args);
        }
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /**
     * An {@code @FILE} argument (picocli reads FILE's lines as arguments: a config file for serve)
     * whose file cannot be read, said as the problem; null when there is none. Picocli would take
     * it for a literal argument and complain of something else ("unknown service '@/etc/...'").
     * An option's value is left alone ({@code --text @me} stays the text "@me" when there is no file
     * "me", as picocli has it); {@code @@} escapes a literal one anywhere.
     */
    static String unreadableArgumentFile(CommandLine cl, String... args) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            CommandLine sub = spec.subcommands().get(a);
            if (sub != null) {
                spec = sub.getCommandSpec();
                continue;
            }
            if (a.length() > 1 && a.startsWith("@") && !a.startsWith("@@") && !(i > 0 && takesValue(spec, args[i - 1]))) {
                Path file = Path.of(a.substring(1));
                if (!Files.isRegularFile(file)) {
                    return "cannot read argument file " + file + ": " + (Files.exists(file) ? "not a regular file" : "no such file");
                }
                if (!Files.isReadable(file)) {
                    return "cannot read argument file " + file + ": permission denied";
                }
            }
        }
        return null;
    }

    /** Whether {@code arg} is an option of {@code spec} whose value is the next argument. */
    private static boolean takesValue(CommandLine.Model.CommandSpec spec, String arg) {
        if (!arg.startsWith("-") || arg.contains("=")) {
            return false;
        }
        CommandLine.Model.OptionSpec o = spec.findOption(arg);
        return o != null && o.arity().max() > 0;
    }

    /** The first argument that looks like an option the command does not have (and is no option's value); null if none. */
    private static String unknownOption(CommandLine.Model.CommandSpec spec, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return null;
            }
            if (a.length() < 2 || !a.startsWith("-") || (i > 0 && takesValue(spec, args[i - 1])) || isOption(spec, a)) {
                continue;
            }
            return a;
        }
        return null;
    }

    /** Whether {@code arg} is an option of {@code spec}: whole, with =VALUE, or short ones clustered (-4v). */
    private static boolean isOption(CommandLine.Model.CommandSpec spec, String arg) {
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (spec.findOption(name) != null || spec.parent() != null && spec.parent().findOption(name) != null) {
            return true;
        }
        if (name.startsWith("--") || name.length() < 3) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) { // short options clustered: each a flag, until one that takes the rest as its value
            CommandLine.Model.OptionSpec o = spec.findOption("-" + name.charAt(i));
            if (o == null) {
                return false;
            }
            if (o.arity().max() > 0) {
                return true;
            }
        }
        return true;
    }

    /** Every subcommand, in the order `sockit --help` lists them. */
    private static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("serve", ServeCommand.class);
        m.put("keepalive", KeepaliveCommand.class);
        m.put("connect", ConnectCommand.class);
        m.put("listen", ListenCommand.class);
        m.put("daytime", DaytimeCommand.class);
        m.put("time", TimeCommand.class);
        m.put("qotd", QotdCommand.class);
        m.put("echo", EchoCommand.class);
        m.put("chargen", ChargenCommand.class);
        m.put("discard", DiscardCommand.class);
        m.put("bench", BenchCommand.class);
        m.put("train", TrainCommand.class); // hidden: the launcher's training run for the AOT cache
        return m;
    }

    /** The subcommands' names, hidden ones too. */
    static Set<String> commandNames() {
        return COMMANDS.keySet();
    }

    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // picocli builds each subcommand's model by reflection, ~15 ms apiece: a one-shot
        // `sockit daytime` builds only its own. Help, and anything unknown, get them all.
        String named = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
        if (COMMANDS.containsKey(named)) {
            cl.addSubcommand(named, COMMANDS.get(named));
        } else {
            COMMANDS.forEach(cl::addSubcommand);
            cl.addSubcommand("help", CommandLine.HelpCommand.class);
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!name.equals("serve") && !name.equals("help")) {
                SocketOptionsMixin.forClient(sub.getCommandSpec(), name.equals("listen") || name.equals("keepalive"));
            }
        });
        cl.setExitCodeExceptionMapper(Main::exitCode);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> runtimeError(e, cmd));
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static int exitCode(Throwable t) {
        return t instanceof CommandLine.ParameterException || t instanceof UsageException ? 2 : 1;
    }

    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        if (cmd.getParent() == null && e instanceof CommandLine.UnmatchedArgumentException u
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().getFirst().startsWith("-")) {
            // a word where a command goes: name it as one, not as picocli's "unmatched argument at index 0"
            String commands = String.join(", ", COMMANDS.keySet().stream().filter(c -> !c.equals("train")).toList());
            err.println("sockit: unknown command '" + printable(u.getUnmatched().getFirst()) + "'; commands: " + commands);
            err.println("Try 'sockit --help' for more information.");
            return 2;
        }
        String name = cmd.getCommandSpec().qualifiedName();
        String unknown = e instanceof CommandLine.MissingParameterException ? unknownOption(cmd.getCommandSpec(), args) : null;
        if (unknown != null) {
            // picocli says the missing parameter first; the unknown option is the mistake to name
            err.println("sockit: Unknown option: '" + printable(unknown) + "'");
            err.println("Try '" + name + " --help' for more information.");
            return 2;
        }
        String joined = e instanceof CommandLine.UnmatchedArgumentException u ? hostPortInTwoWords(cmd, u.getUnmatched(), args) : null;
        if (joined != null) {
            // nc's HOST PORT: say how sockit writes it rather than "unmatched argument"
            err.println("sockit: write an endpoint as one word, HOST:PORT: '" + printable(joined) + "'");
            err.println("Try '" + name + " --help' for more information.");
            return 2;
        }
        err.println("sockit: " + printable(e.getMessage()));
        err.println("Try '" + name + " --help' for more information.");
        return 2;
    }

    /**
     * HOST:PORT when the one unmatched word is a port that follows a bare host (a name, an IPv4 or an
     * IPv6 address, not an option's value) on the command line, as nc takes them; else null.
     */
    private static String hostPortInTwoWords(CommandLine cmd, List<String> unmatched, String[] args) {
        String port = unmatched.size() == 1 ? unmatched.getFirst() : "";
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            return null;
        }
        int at = Arrays.asList(args).indexOf(port);
        if (at < 1) {
            return null;
        }
        String host = args[at - 1];
        boolean name = host.matches("[A-Za-z0-9.-]+") && !host.matches("[0-9]+") && !host.startsWith("-");
        boolean ipv6 = host.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?") && host.chars().filter(c -> c == ':').count() >= 2;
        if (!name && !ipv6) {
            return null;
        }
        if (at >= 2) {
            CommandLine.Model.OptionSpec before = cmd.getCommandSpec().findOption(args[at - 2]);
            if (before != null && before.arity().max() > 0) {
                return null; // the "host" is that option's value
            }
        }
        return (ipv6 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int runtimeError(Exception e, CommandLine cmd) {
        boolean debug = cmd.getParseResult() != null && Boolean.TRUE.equals(debugOf(cmd));
        return runtimeError(e, cmd.getErr(), cmd.getCommandSpec().qualifiedName(), debug);
    }

    /** A command failed: one line (a usage hint too for a bad value, exit 2), exit 1 otherwise. */
    static int runtimeError(Exception e, PrintWriter err, String command, boolean debug) {
        Throwable t = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
        if (t instanceof Relay.OutputClosedException closed && !debug) {
            IOException why = STDOUT.failure != null ? STDOUT.failure : closed.getCause() instanceof IOException c ? c : null;
            if (why == null || String.valueOf(why.getMessage()).contains("Broken pipe")) {
                return 141; // as a C tool killed by SIGPIPE: whoever read our output (| head) has gone, there is no one to tell
            }
            err.println("sockit: cannot write the output: " + why.getMessage()); // a full disk, say: that must be said
            return 1;
        }
        if (e instanceof AlreadySaid) {
            if (debug) {
                e.getCause().printStackTrace(err);
            }
            return 1;
        }
        if (e instanceof UsageException || e instanceof IllegalArgumentException) {
            err.println("sockit: " + printable(e.getMessage()));
            err.println("Try '" + command + " --help' for more information.");
            if (debug) {
                e.printStackTrace(err);
            }
            return 2;
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        err.println("sockit: " + printable(message));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    /** The longest error line: an argument file's 5 MB line quoted whole would be no line to read. */
    static final int LONGEST_MESSAGE = 500;

    /**
     * An error as one line a terminal shows as it is: control characters (from an argument file of
     * binary, or a hostile peer's words) as \xNN, and cut short past {@link #LONGEST_MESSAGE}.
     */
    static String printable(String message) {
        String m = String.valueOf(message);
        StringBuilder b = new StringBuilder(Math.min(m.length(), LONGEST_MESSAGE) + 32);
        int i = 0;
        while (i < m.length() && b.length() < LONGEST_MESSAGE) {
            int c = m.codePointAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c); // whole, never half a surrogate pair
            }
            i += Character.charCount(c);
        }
        return i < m.length() ? b + "... (" + m.length() + " characters)" : b.toString();
    }

    private static Object debugOf(CommandLine cmd) {
        CommandLine root = cmd;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        return ((Main) root.getCommand()).debug;
    }

    /** What System.out writes to. */
    static final Stdout STDOUT = new Stdout();

    /**
     * stdout under its PrintStream, keeping the error of a failed write, which the PrintStream keeps
     * to itself: a reader that went away (EPIPE) ends a command quietly, a full disk must be said.
     */
    static final class Stdout extends FilterOutputStream {
        volatile IOException failure;

        Stdout() {
            super(new FileOutputStream(FileDescriptor.out));
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** A failure the command has already reported in its own form (serve --json: an event): exit 1, nothing more said. */
    static final class AlreadySaid extends RuntimeException {
        AlreadySaid(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A bad value the option parser could not catch (an endpoint, a spec, a file's contents): exit 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/sockit-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"sockit " + p.getProperty("version", "unknown"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home") + ")"};
        }
    }
}
