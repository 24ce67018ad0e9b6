package dev.sockit.bench;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The capped rows' group: a process started through it runs inside it, and the group goes away after. */
class CpuCapTest {

    @Test
    void aWrappedCommandRunsInsideTheGroup() throws IOException, InterruptedException {
        CpuCap.Result r = CpuCap.create(0.5);
        assumeTrue(r.cap().isPresent(), "no CPU cap here (root and a cgroup cpu controller are needed; CI has both): " + r.problem());
        String cgroups;
        try (CpuCap cap = r.cap().get()) {
            Process p = new ProcessBuilder(cap.wrap(List.of("cat", "/proc/self/cgroup"))).redirectErrorStream(true).start();
            cgroups = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(cgroups).isZero();
            assertThat(cap.describe()).startsWith("50% of one CPU (CFS bandwidth: 5000 µs every 10000 µs");
        }
        assertThat(cgroups).contains("sockit-bench-" + ProcessHandle.current().pid());
    }
}
