package dev.sockit.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The CPU bandwidth this process may use, when a control group limits it (CFS quota: containers with
 * a CPU limit, systemd's CPUQuota=, a benchmark's cap): the tightest quota ÷ period on the path from
 * the process's cgroup up to the root, in CPUs. Read from /proc and /sys/fs/cgroup, cgroup v2
 * ({@code cpu.max}) or v1 ({@code cpu.cfs_quota_us}); empty when there is no quota or it cannot be
 * read (not Linux, no cpu controller mounted).
 *
 * <p>The epoll engine asks so as not to busy-poll under a quota: polling spends the quota itself, and
 * a throttled loop serves nobody (measured: daytime connections at half a CPU, 8,600/s polling and
 * 12,200/s not).
 */
public final class CpuQuota {
    private CpuQuota() {
    }

    public static OptionalDouble ofThisProcess() {
        try {
            return of(Files.readString(Path.of("/proc/self/cgroup")), Files.readString(Path.of("/proc/self/mountinfo")), Path.of("/"));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    /**
     * @param cgroup    the text of /proc/self/cgroup
     * @param mountinfo the text of /proc/self/mountinfo
     * @param root      where the file system is ({@code /}; a test's folder)
     */
    static OptionalDouble of(String cgroup, String mountinfo, Path root) {
        double least = Double.POSITIVE_INFINITY;
        for (String line : cgroup.split("\n")) {
            String[] f = line.split(":", 3); // hierarchy-id:controllers:path
            if (f.length < 3) {
                continue;
            }
            boolean v2 = f[0].equals("0") && f[1].isEmpty();
            boolean v1cpu = List.of(f[1].split(",")).contains("cpu");
            if (!v2 && !v1cpu) {
                continue;
            }
            for (Mount m : mounts(mountinfo, v2)) {
                for (Path dir : ancestors(m, f[2], root)) {
                    least = Math.min(least, v2 ? v2Quota(dir) : v1Quota(dir));
                }
            }
        }
        return least == Double.POSITIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(least);
    }

    /** A cgroup file system: where it is mounted, and which cgroup path its mount shows as its root. */
    private record Mount(String point, String root) {
    }

    private static List<Mount> mounts(String mountinfo, boolean v2) {
        List<Mount> found = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            // id parent major:minor root mount-point options [optional fields] - fstype source super-options
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] before = line.substring(0, dash).split(" ");
            String[] after = line.substring(dash + 3).split(" ");
            if (before.length < 5 || after.length < 3) {
                continue;
            }
            boolean match = v2 ? after[0].equals("cgroup2")
                    : after[0].equals("cgroup") && List.of(after[2].split(",")).contains("cpu");
            if (match) {
                found.add(new Mount(unescape(before[4]), unescape(before[3])));
            }
        }
        return found;
    }

    /** The directories of {@code path} and its ancestors within the mount, deepest first. */
    private static List<Path> ancestors(Mount m, String path, Path root) {
        List<Path> dirs = new ArrayList<>();
        String rel = path;
        if (!m.root.equals("/") && rel.startsWith(m.root)) {
            rel = rel.substring(m.root.length()); // a cgroup namespace's mount shows only its own subtree
        }
        Path base = root.resolve(m.point.substring(1));
        Path dir = rel.isEmpty() || rel.equals("/") ? base : base.resolve(rel.substring(1));
        while (dir.startsWith(base)) {
            dirs.add(dir);
            if (dir.equals(base)) {
                break;
            }
            dir = dir.getParent();
        }
        return dirs;
    }

    /** {@code cpu.max}: "max 100000" (none) or "50000 100000". */
    private static double v2Quota(Path dir) {
        String[] f = read(dir.resolve("cpu.max")).split("\\s+");
        if (f.length < 2 || f[0].equals("max")) {
            return Double.POSITIVE_INFINITY;
        }
        return ratio(f[0], f[1]);
    }

    /** {@code cpu.cfs_quota_us} (-1: none) over {@code cpu.cfs_period_us}. */
    private static double v1Quota(Path dir) {
        String quota = read(dir.resolve("cpu.cfs_quota_us"));
        if (quota.isEmpty() || quota.startsWith("-")) {
            return Double.POSITIVE_INFINITY;
        }
        return ratio(quota, read(dir.resolve("cpu.cfs_period_us")));
    }

    private static double ratio(String quota, String period) {
        try {
            double p = Double.parseDouble(period);
            return p > 0 ? Double.parseDouble(quota) / p : Double.POSITIVE_INFINITY;
        } catch (NumberFormatException e) {
            return Double.POSITIVE_INFINITY;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** mountinfo writes space, tab, newline and backslash in octal ({@code \040}). */
    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** {@code 0.5 CPUs}, {@code 2 CPUs}. */
    public static String describe(double cpus) {
        return (cpus == Math.rint(cpus) ? String.format(Locale.ROOT, "%.0f", cpus) : String.format(Locale.ROOT, "%.2f", cpus)
                .replaceAll("0+$", "")) + (cpus == 1 ? " CPU" : " CPUs");
    }
}
