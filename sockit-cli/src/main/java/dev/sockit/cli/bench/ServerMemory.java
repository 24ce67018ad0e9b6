package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The resident memory of the server's process (Linux /proc), to report what each connection costs it. */
final class ServerMemory {
    private final long pid;
    private final Path status;

    ServerMemory(long pid) {
        this.pid = pid;
        this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    /** Fails with a message fit to show when the process cannot be read. */
    static ServerMemory of(long pid) {
        ServerMemory m = new ServerMemory(pid);
        if (m.rssKib() < 0) {
            throw new IllegalArgumentException("--server-pid " + pid + ": no such process whose memory can be read (Linux /proc/" + pid + "/status)");
        }
        return m;
    }

    /** VmRSS in KiB, or -1 if the process is gone or unreadable. */
    long rssKib() {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    long pid() {
        return pid;
    }
}
