package dev.sockit.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The quota is read from the process's own cgroup and its ancestors, as the kernel lays them out. */
class CpuQuotaTest {
    private static final String V1_MOUNTS = """
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            """;
    private static final String V2_MOUNTS = "30 22 0:27 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

    @TempDir
    Path root;

    private void write(String file, String text) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text + "\n");
    }

    @Test
    void cgroupV2QuotaOverPeriodIsTheShareOfACpu() throws IOException {
        write("sys/fs/cgroup/cpu.max", "max 100000");
        write("sys/fs/cgroup/app/cpu.max", "150000 100000");
        assertThat(CpuQuota.of("0::/app\n", V2_MOUNTS, root)).hasValue(1.5);
    }

    @Test
    void theTightestQuotaOnTheWayToTheRootCounts() throws IOException {
        write("sys/fs/cgroup/kubepods/cpu.max", "50000 100000");
        write("sys/fs/cgroup/kubepods/pod1/cpu.max", "max 100000");
        write("sys/fs/cgroup/kubepods/pod1/c1/cpu.max", "200000 100000");
        assertThat(CpuQuota.of("0::/kubepods/pod1/c1\n", V2_MOUNTS, root)).hasValue(0.5);
    }

    @Test
    void noQuotaAnywhereIsEmpty() throws IOException {
        write("sys/fs/cgroup/cpu.max", "max 100000");
        write("sys/fs/cgroup/app/cpu.max", "max 100000");
        assertThat(CpuQuota.of("0::/app\n", V2_MOUNTS, root)).isEmpty();
        assertThat(CpuQuota.of("0::/app\n", "", root)).as("no cgroup file system mounted").isEmpty();
    }

    @Test
    void cgroupV1ReadsTheCpuControllersQuotaAndPeriod() throws IOException {
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000");
        write("sys/fs/cgroup/cpu,cpuacct/bench/cpu.cfs_quota_us", "5000");
        write("sys/fs/cgroup/cpu,cpuacct/bench/cpu.cfs_period_us", "10000");
        String cgroup = "4:memory:/other\n3:cpu,cpuacct:/bench\n0::/\n";
        assertThat(CpuQuota.of(cgroup, V1_MOUNTS, root)).hasValue(0.5);
        assertThat(CpuQuota.of("3:cpu,cpuacct:/\n", V1_MOUNTS, root)).as("-1 is no quota").isEmpty();
    }

    @Test
    void aCgroupNamespaceShowsItsOwnSubtreeAsTheMountsRoot() throws IOException {
        // inside a container: the mount's root is the container's cgroup, and /proc/self/cgroup says "/"
        write("sys/fs/cgroup/cpu.max", "25000 100000");
        assertThat(CpuQuota.of("0::/\n", V2_MOUNTS.replace(" / /sys/fs/cgroup", " /docker/abc /sys/fs/cgroup"), root)).hasValue(0.25);
    }

    @Test
    void describedInCpus() {
        assertThat(CpuQuota.describe(0.5)).isEqualTo("0.5 CPUs");
        assertThat(CpuQuota.describe(1)).isEqualTo("1 CPU");
        assertThat(CpuQuota.describe(2)).isEqualTo("2 CPUs");
        assertThat(CpuQuota.describe(0.25)).isEqualTo("0.25 CPUs");
    }
}
