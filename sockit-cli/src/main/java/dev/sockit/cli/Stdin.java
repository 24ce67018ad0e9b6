package dev.sockit.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Path;

/** Standard input as the relays use it: unbuffered, and whether a person is typing at it. */
final class Stdin {
    private Stdin() {
    }

    /** Each read returns what is there, so a line typed is sent at once. */
    static InputStream stream() {
        return new FileInputStream(FileDescriptor.in);
    }

    /**
     * True when stdin is a terminal. Then the relay ends when the peer closes, as telnet does; from a
     * pipe or file it keeps sending until the input ends, so nothing piped in is lost.
     */
    static boolean isTerminal() {
        try {
            String real = Path.of("/proc/self/fd/0").toRealPath().toString();
            return real.startsWith("/dev/pts/") || real.startsWith("/dev/tty") || real.equals("/dev/console");
        } catch (Exception e) {
            // No /proc (not Linux): ask the JDK, which knows when both stdin and stdout are a terminal.
            return System.console() != null && System.console().isTerminal();
        }
    }
}
