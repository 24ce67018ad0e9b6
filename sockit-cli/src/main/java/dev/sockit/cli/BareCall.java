package dev.sockit.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code sockit daytime|time|qotd ENDPOINT} with nothing else on the line, the one-shot call scripts
 * make most, run without building picocli's model of the command line. picocli reads a command's
 * annotations, and the JDK makes each annotation type a dynamic proxy class, generated afresh at
 * every start (the AOT cache keeps no proxy classes): about 90 of the 220 ms such a call took here.
 *
 * <p>A bare call has no options, so the command object's own field values, which are the defaults
 * picocli would leave in it, are the whole of its configuration; the call and its errors then go
 * exactly as through picocli ({@link Main#runtimeError}). Any other line, {@code --help} included,
 * goes to picocli.
 */
final class BareCall {
    private static final Map<String, Supplier<ServiceClientCommand>> COMMANDS =
            Map.of("daytime", DaytimeCommand::new, "time", TimeCommand::new, "qotd", QotdCommand::new);

    private BareCall() {
    }

    /**
     * Whether {@code args} are a bare one-shot call. Not when the endpoint looks like an option, or
     * like an {@code @file} picocli would expand.
     */
    static boolean matches(String... args) {
        return args.length == 2 && COMMANDS.containsKey(args[0]) && !args[1].isEmpty()
                && !args[1].startsWith("-") && !args[1].startsWith("@");
    }

    /** Runs a call {@link #matches} accepted; returns its exit code. */
    static int run(PrintWriter err, String... args) {
        ServiceClientCommand command = COMMANDS.get(args[0]).get();
        command.target = args[1];
        try {
            return command.call();
        } catch (Exception e) {
            return Main.runtimeError(e, err, "sockit " + args[0], false);
        }
    }
}
