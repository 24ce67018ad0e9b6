package dev.sockit.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the real-world programs tests drive (socat, tcpdump, rdate ...) on PATH and in the sbin folders. */
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
}
