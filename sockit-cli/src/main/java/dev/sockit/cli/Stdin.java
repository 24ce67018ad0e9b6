package dev.sockit.cli;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Standard input as the relays use it: unbuffered, and whether a person is typing at it. */
final class Stdin {
    private Stdin() {
    }

    /**
     * Each read returns what is there, so a line typed is sent at once. Empty when sockit was started
     * with stdin closed ({@code <&-}), as nc and ncat treat it.
     */
    static InputStream stream() {
        return closedAtStart() ? InputStream.nullInputStream() : new FileInputStream(FileDescriptor.in);
    }

    /**
     * Whether fd 0 is a file the JVM opened for itself. A process started with stdin closed gets, as
     * its fd 0, the first file the JVM opens (its {@code lib/modules}, else the jar): read as input,
     * that would send the JDK to the peer. The JVM holds such a file open once; stdin given from the
     * same file ({@code < sockit.jar}) is a second descriptor beside the JVM's own.
     */
    private static boolean closedAtStart() {
        try {
            Path real = Path.of("/proc/self/fd/0").toRealPath();
            if (!isTheJvmsOwn(real)) {
                return false;
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
                for (Path fd : fds) {
                    if (!fd.getFileName().toString().equals("0") && sameFile(fd, real)) {
                        return false; // the JVM's own is another descriptor: fd 0 is an input given
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux), or fd 0 is a pipe or socket: an input the caller gave
        }
    }

    private static boolean isTheJvmsOwn(Path real) throws IOException {
        if (real.equals(Path.of(System.getProperty("java.home"), "lib", "modules").toRealPath())) {
            return true;
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.isEmpty() && real.equals(Path.of(entry).toRealPath())) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameFile(Path fd, Path real) {
        try {
            return fd.toRealPath().equals(real);
        } catch (IOException e) {
            return false; // closed meanwhile (the listing's own descriptor), or not a file
        }
    }

    /**
     * True when stdin is a terminal. Then the relay ends when the peer closes, as telnet does; from a
     * pipe or file it keeps sending until the input ends, so nothing piped in is lost.
     */
    static boolean isTerminal() {
        return isTerminal(0);
    }

    /** True when descriptor {@code fd} (0 stdin, 1 stdout) is a terminal. */
    static boolean isTerminal(int fd) {
        try {
            String real = Path.of("/proc/self/fd/" + fd).toRealPath().toString();
            return real.startsWith("/dev/pts/") || real.startsWith("/dev/tty") || real.equals("/dev/console");
        } catch (Exception e) {
            // No /proc (not Linux): ask the JDK, which knows when both stdin and stdout are a terminal.
            return System.console() != null && System.console().isTerminal();
        }
    }
}
