package dev.sockit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The wall time of one-shot commands, process start to exit: {@code java -version} (the JVM's own floor),
 * a minimal JVM daytime client with and without the JDK's AOT cache (JEP 483, created the one-step way of
 * JEP 514), {@code sockit daytime} by {@code java -jar} without and with the AOT cache the launcher makes
 * (trained by {@code sockit train}), the {@code ./sockit} launcher as a user runs it, and {@code nc} as the
 * native baseline.
 */
final class Startup {
    /** One command's wall times in milliseconds. */
    record Row(String what, String command, Figures millis) {
    }

    private final Matrix.Options o;
    final List<Row> rows = new ArrayList<>();
    String aotNote = "";

    Startup(Matrix.Options o) {
        this.o = o;
    }

    Startup measure() throws Exception {
        Path dir = Files.createTempDirectory("sockit-aot");
        List<String> java = List.of(Path.of(o.javaHome, "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED");
        List<String> serve = new ArrayList<>(o.java(0));
        serve.addAll(List.of("-jar", o.sockitJar.toString(), "serve", "daytime@127.0.0.1:0", "echo@127.0.0.1:0", "--quiet"));
        try (ServerProcess server = new ServerProcess(serve).awaitReady(Duration.ofSeconds(30))) {
            String port = Integer.toString(server.port("daytime"));
            List<String> daytime = List.of("-jar", o.sockitJar.toString(), "daytime", "127.0.0.1:" + port);
            List<String> probe = List.of("-cp", o.benchJar.toString(), "dev.sockit.bench.DaytimeProbe", "127.0.0.1", port);
            Path sockitAot = dir.resolve("sockit.aot");
            Path probeAot = dir.resolve("probe.aot");
            boolean aot = train(java, sockitAot, List.of("-jar", o.sockitJar.toString(), "train"))
                    & train(java, probeAot, probe);

            time("`java -version`: the JVM starting and stopping, running nothing", with(java.subList(0, 1), List.of("-version")), false);
            time("DaytimeProbe: the smallest JVM daytime client (no AOT cache)", with(java, probe), true);
            if (aot) {
                time("DaytimeProbe with the AOT cache", with(java, List.of("-XX:AOTCache=" + probeAot), probe), true);
            }
            time("`java -jar sockit.jar daytime 127.0.0.1:PORT` (no AOT cache)", with(java, daytime), true);
            if (aot) {
                time("`java -jar sockit.jar daytime` with the AOT cache of `sockit train`", with(java, List.of("-XX:AOTCache=" + sockitAot), daytime),
                        true);
            }
            if (o.sockitLauncher != null) {
                List<String> launcher = List.of(o.sockitLauncher.toString(), "daytime", "127.0.0.1:" + port);
                prepare(o.sockitLauncher);
                time("`./sockit daytime` (the launcher: finds the JDK, checks the jar and its AOT cache are fresh, one-shot JVM flags)",
                        launcher, true);
            }
            if (Files.isExecutable(Path.of("/usr/bin/nc")) || Files.isExecutable(Path.of("/bin/nc"))) {
                time("`nc -d 127.0.0.1 PORT` (native baseline)", List.of("nc", "-d", "127.0.0.1", port), true);
            }
        }
        return this;
    }

    /** Creates the AOT cache with one training run of {@code app} (JEP 514's one step). */
    private boolean train(List<String> java, Path cache, List<String> app) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(with(java, List.of("-XX:AOTCacheOutput=" + cache), app))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        if (p.exitValue() != 0 || !Files.exists(cache)) {
            aotNote = "The AOT cache could not be created: " + out.strip().lines().reduce((a, b) -> b).orElse("");
            return false;
        }
        return true;
    }

    /** Lets the launcher build what it needs and make its AOT cache, so that the timed runs find them. */
    private static void prepare(Path launcher) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(launcher + " --version failed");
        }
    }

    /**
     * Runs the command once to warm the page cache, then times it; each run must exit 0, and a daytime
     * client must print nothing but one line.
     */
    private void time(String what, List<String> command, boolean daytimeLine) throws IOException, InterruptedException {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i <= o.startupRuns; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor();
            long t = System.nanoTime() - t0;
            String text = new String(out, StandardCharsets.US_ASCII);
            if (p.exitValue() != 0 || daytimeLine && !text.matches("(?s)\\p{Print}+\\r?\\n")) {
                throw new IOException(what + " failed (exit " + p.exitValue() + "): " + text);
            }
            if (i > 0) {
                ms.add(t / 1e6);
            }
        }
        rows.add(new Row(what, String.join(" ", command), Figures.of(ms)));
    }
    private static List<String> with(List<String> a, List<String> b) {
        List<String> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    private static List<String> with(List<String> a, List<String> b, List<String> c) {
        return with(with(a, b), c);
    }
}
