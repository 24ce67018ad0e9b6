package dev.sockit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the figures were measured on: recorded with them, since they mean little without it. */
final class Machine {
    private Machine() {
    }

    static List<String> describe(String javaHome) {
        List<String> lines = new ArrayList<>();
        lines.add("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs seen by the runner");
        lines.add("Memory: " + firstMatching(Path.of("/proc/meminfo"), "MemTotal:").replace("MemTotal:", "").strip());
        lines.add("Kernel: " + read(Path.of("/proc/sys/kernel/osrelease")).strip());
        lines.add("JDK: " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + javaHome + ")");
        lines.add("Netty: " + io.netty.util.Version.identify().values().stream().findFirst().map(v -> v.artifactVersion()).orElse("?"));
        lines.add("Open files limit: " + ulimit());
        return lines;
    }

    static String loadAverage() {
        return read(Path.of("/proc/loadavg")).strip();
    }

    private static String cpuModel() {
        return firstMatching(Path.of("/proc/cpuinfo"), "model name").replaceFirst("model name\\s*:\\s*", "");
    }

    private static String ulimit() {
        for (String line : read(Path.of("/proc/self/limits")).split("\n")) {
            if (line.startsWith("Max open files")) {
                return line.replace("Max open files", "").strip().replaceAll("\\s+", " ");
            }
        }
        return "?";
    }

    private static String firstMatching(Path p, String prefix) {
        for (String line : read(p).split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        return "?";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "?";
        }
    }
}
