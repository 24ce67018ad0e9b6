package dev.sockit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Linux control group that holds the processes put in it to a share of one CPU (CFS bandwidth:
 * {@code quota} microseconds of CPU per {@code period}). On two CPUs the load generator spends about
 * as much CPU per message as an efficient server (both sides pay the kernel's TCP work on loopback),
 * so with one CPU each every good server runs into the generator's ceiling and the ratios say
 * nothing. With the server held to half a CPU and the generator given a whole one, the server is
 * the limit again, and the rows show what each server does with the CPU it has.
 *
 * <p>cgroup v2 ({@code cpu.max}) where the cpu controller is available, else v1's cpu controller
 * ({@code cpu.cfs_quota_us}); it needs root. Where neither can be written, {@link #create} says why
 * and the capped rows are left out.
 */
final class CpuCap implements AutoCloseable {
    /** 10 ms periods: a throttled server waits at most a few milliseconds, not the default 100. */
    static final int PERIOD_US = 10_000;

    private final Path group;
    private final Path procs;
    final double cpus;

    private CpuCap(Path group, Path procs, double cpus) {
        this.group = group;
        this.procs = procs;
        this.cpus = cpus;
    }

    /** A new group limited to {@code cpus} of one CPU, or why there can be none here. */
    static Result create(double cpus) {
        int quota = (int) Math.round(cpus * PERIOD_US);
        String name = "sockit-bench-" + ProcessHandle.current().pid();
        StringBuilder why = new StringBuilder();
        Path v2 = Path.of("/sys/fs/cgroup");
        if (Files.isRegularFile(v2.resolve("cgroup.controllers"))) {
            try {
                if (!read(v2.resolve("cgroup.controllers")).contains("cpu")) {
                    throw new IOException("the cpu controller is not available");
                }
                if (!read(v2.resolve("cgroup.subtree_control")).contains("cpu")) {
                    Files.writeString(v2.resolve("cgroup.subtree_control"), "+cpu");
                }
                Path g = Files.createDirectories(v2.resolve(name));
                Files.writeString(g.resolve("cpu.max"), quota + " " + PERIOD_US);
                return new Result(Optional.of(new CpuCap(g, g.resolve("cgroup.procs"), cpus)), "");
            } catch (IOException | RuntimeException e) {
                why.append("cgroup v2: ").append(e.getMessage()).append("; ");
            }
        }
        Path v1 = Path.of("/sys/fs/cgroup/cpu");
        if (Files.isRegularFile(v1.resolve("cpu.cfs_quota_us"))) {
            try {
                Path g = Files.createDirectories(v1.resolve(name));
                Files.writeString(g.resolve("cpu.cfs_period_us"), Integer.toString(PERIOD_US));
                Files.writeString(g.resolve("cpu.cfs_quota_us"), Integer.toString(quota));
                return new Result(Optional.of(new CpuCap(g, g.resolve("tasks"), cpus)), "");
            } catch (IOException | RuntimeException e) {
                why.append("cgroup v1: ").append(e.getMessage()).append("; ");
            }
        } else {
            why.append("no cgroup cpu controller at /sys/fs/cgroup; ");
        }
        return new Result(Optional.empty(), why.append("capping a server's CPU needs root and a cgroup cpu controller").toString());
    }

    record Result(Optional<CpuCap> cap, String problem) {
    }

    /** {@code command}, started inside the group: a shell joins it, then becomes the command (same pid). */
    List<String> wrap(List<String> command) {
        List<String> l = new ArrayList<>(List.of("sh", "-c", "echo $$ > '" + procs + "' && exec \"$@\"", "sh"));
        l.addAll(command);
        return l;
    }

    String describe() {
        return String.format(Locale.ROOT, "%.0f%% of one CPU (CFS bandwidth: %d µs every %d µs, %s)", cpus * 100,
                Math.round(cpus * PERIOD_US), PERIOD_US, group);
    }

    /** Removes the group; its processes have all exited by then. */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(group);
        } catch (IOException e) {
            System.err.println("bench: could not remove " + group + ": " + e.getMessage());
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
