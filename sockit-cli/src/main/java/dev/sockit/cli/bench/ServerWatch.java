package dev.sockit.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux's /proc tells about the server's process (its resident memory and CPU time) and about
 * the whole machine's CPU time, so a report can show how busy the server was, and whether other
 * programs were taking CPU from the run (a noisy machine).
 */
final class ServerWatch {
    /** USER_HZ: the unit of /proc's CPU times, 100 on every architecture Linux ships. */
    private static final double TICKS_PER_SECOND = 100;
    private final long pid;

    private ServerWatch(long pid) {
        this.pid = pid;
    }

    /** Fails with a message fit to show when the process cannot be read. */
    static ServerWatch of(long pid) {
        ServerWatch w = new ServerWatch(pid);
        if (w.rssKib() < 0) {
            throw new IllegalArgumentException("--server-pid " + pid + ": no such process whose memory can be read (Linux /proc/" + pid + "/status)");
        }
        return w;
    }

    /** VmRSS in KiB, or -1 if the process is gone or unreadable. */
    long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The process's user + system CPU time in seconds, or NaN. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * Bytes the loopback interface has carried (Linux /proc/net/dev), or -1: the kernel's own count,
     * an independent check of a bench's throughput on 127.0.0.1 (it counts every program's traffic).
     */
    static long loopbackBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/dev"))) {
                String l = line.strip();
                if (l.startsWith("lo:")) {
                    return Long.parseLong(l.substring(3).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time the whole machine spent busy (not idle, not waiting for I/O), in seconds, or NaN off Linux. */
    static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return (total - idle) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
