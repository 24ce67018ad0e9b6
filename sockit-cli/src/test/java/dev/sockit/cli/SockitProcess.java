package dev.sockit.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The packaged {@code sockit} jar run as a real process, its output lines collected as they come. */
final class SockitProcess implements AutoCloseable {
    final Process process;
    private final LinkedBlockingQueue<String> errLines = new LinkedBlockingQueue<>();
    final List<String> allErr = new CopyOnWriteArrayList<>();
    final List<String> allOut = new CopyOnWriteArrayList<>();

    private SockitProcess(Process p) {
        this.process = p;
        Thread.ofVirtual().start(() -> pump(new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8)), true));
        Thread.ofVirtual().start(() -> pump(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)), false));
    }

    static Path jar() {
        String jar = System.getProperty("sockit.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("system property sockit.jar must name the packaged jar (run through failsafe: ./mvnw verify)");
        }
        return Path.of(jar);
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** {@code java -jar sockit.jar ARGS}, optionally behind a prefix such as {@code setpriv ...}. */
    static SockitProcess start(List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new SockitProcess(pb.start());
    }

    /** Any command, e.g. the jar's main class run from the class path. */
    static SockitProcess command(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new SockitProcess(pb.start());
    }

    static SockitProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    private void pump(BufferedReader r, boolean err) {
        try (r) {
            String line;
            while ((line = r.readLine()) != null) {
                if (err) {
                    allErr.add(line);
                    errLines.add(line);
                } else {
                    allOut.add(line);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    /** Waits for the next stderr line matching {@code p}, failing with all of stderr if none comes in time. */
    String awaitErr(Predicate<String> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? errLines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no matching line within " + timeout + "; stderr so far:\n" + String.join("\n", allErr));
            }
            if (p.test(line)) {
                return line;
            }
        }
    }

    /** sockit's own process: the one started, or the java under a wrapper (bash, systemd-socket-activate). */
    ProcessHandle sockit() {
        if (process.info().command().map(c -> c.endsWith("java")).orElse(false)) {
            return process.toHandle();
        }
        return process.descendants().filter(h -> h.info().command().map(c -> c.endsWith("java")).orElse(false)).findFirst()
                .orElseThrow(() -> new AssertionError("no sockit process under " + process.pid()));
    }

    /** Sends SIGTERM. (Process.destroy() would also close our ends of its pipes, losing its last words.) */
    void terminate() {
        process.toHandle().destroy();
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("sockit did not exit within " + timeout + "; stderr:\n" + String.join("\n", allErr));
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        // Its children first: a wrapper (bash, systemd-socket-activate) killed alone would leave sockit running on.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS); // gone before the next test reuses what it held
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
