package dev.sockit.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Finds and runs the real-world programs tests drive (socat, tcpdump, ip, rdate ...), on PATH and in the sbin folders. */
final class Tools {
    private Tools() {
    }

    static boolean has(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** The reason to give when a tool is missing. */
    static String missing(String... names) {
        return String.join(", ", names) + " not installed (.ci/setup installs them as root)";
    }

    /** Runs a command to its end (at most 30 s), its output dropped: its exit status, or -1 if it did not end. */
    static int sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    /** {@link #sh}, which must succeed (setting up a namespace, say). */
    static void check(String... cmd) throws IOException, InterruptedException {
        assertThat(sh(cmd)).as(String.join(" ", cmd)).isZero();
    }
}
