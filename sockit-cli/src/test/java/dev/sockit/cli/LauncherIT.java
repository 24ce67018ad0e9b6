package dev.sockit.cli;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.server.ServerEvents;
import dev.sockit.service.Service;
import dev.sockit.service.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ./sockit} launcher as a user runs it, on a copy of the checkout holding just the launcher
 * and the built jar (so it never builds): it makes the AOT cache on first use, runs from it, makes it
 * again when the jar changed or the JDK did, and runs quietly, uncached, from a damaged one.
 */
@Timeout(300)
class LauncherIT {
    private static final String LINE = "Wed Jan  2 03:04:05 2030\n";
    private static final String PREPARING = "sockit: preparing the start-up cache (once per build, a few seconds) ...\n";
    private static Server server;
    private static String daytime;

    @TempDir
    Path root;

    @BeforeAll
    static void serve() throws IOException {
        Settings settings = Settings.defaults().withClock(Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC));
        server = Server.builder().settings(settings).events(new ServerEvents() {
        }).serve(Service.named("daytime").orElseThrow(), Transport.TCP, Endpoint.parse("127.0.0.1:0")).start();
        daytime = server.endpoint().toString();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Result(int exit, String out, String err) {
    }

    @Test
    void makesTheCacheOnceRunsFromItAndRunsQuietlyWithoutItWhenItIsDamaged() throws Exception {
        Path launcher = checkout();

        Result first = run(launcher, Map.of(), "daytime", daytime);
        assertThat(first).isEqualTo(new Result(0, LINE, PREPARING));
        assertThat(cache()).exists();

        Path classes = root.resolve("class-load.log");
        Result second = run(launcher, Map.of("SOCKIT_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes), "daytime", daytime);
        assertThat(second).isEqualTo(new Result(0, LINE, ""));
        assertThat(Files.readString(classes))
                .contains("dev.sockit.cli.DaytimeCommand source: shared objects file")
                .contains("picocli.CommandLine source: shared objects file");

        // What another build of the JDK, or a truncated file, looks like to the JVM: it says so on stdout unless told not to.
        FileTime made = Files.getLastModifiedTime(cache());
        Files.writeString(cache(), "not an AOT cache");
        Files.setLastModifiedTime(cache(), made);
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(0, LINE, ""));
        assertThat(run(launcher, Map.of(), "daytime", "127.0.0.1:99999").exit()).isEqualTo(2);
    }

    @Test
    void makesItAgainWhenTheJarIsNewerOrTheJdkIsAnother() throws Exception {
        Path launcher = checkout();
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(0, LINE, PREPARING));
        Path stamp = root.resolve("sockit-cli/target/sockit.aot.stamp");

        // A rebuilt jar: JDK 25.0.3 would run the cache's old classes from it without a word (JDK-8377932).
        Files.setLastModifiedTime(jar(), FileTime.from(Files.getLastModifiedTime(stamp).toInstant().plusSeconds(2)));
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(0, LINE, PREPARING));
        assertThat(Files.getLastModifiedTime(stamp)).isGreaterThan(Files.getLastModifiedTime(jar()));

        Files.writeString(stamp, "/opt/another-jdk");
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(0, LINE, PREPARING));
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(0, LINE, ""));
    }

    /** A training stopped half-way (Ctrl-C, kill) leaves none of its temporary files, which are some 20 MB. */
    @Test
    void aTrainingCutShortLeavesNothingBehind() throws Exception {
        Path launcher = checkout();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "daytime", daytime).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("SOCKIT_JAVA_OPTS");
        Process p = pb.start();
        ClientProcess.drain(p.getInputStream());
        java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        assertThat(err.readLine() + "\n").isEqualTo(PREPARING); // training has begun
        p.destroy(); // SIGTERM to the launcher
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("died of the signal it was sent, after cleaning up").isEqualTo(128 + 15);
        try (var left = Files.list(root.resolve("sockit-cli/target"))) {
            assertThat(left.map(f -> f.getFileName().toString())).doesNotContain("sockit.aot")
                    .allMatch(name -> name.equals("sockit.jar") || name.equals("sockit.aot.log"), "only the jar and the training's log");
        }
    }

    /**
     * Root (sudo ./sockit serve --user ...) running another user's checkout leaves no file of root's
     * in it: it runs the built jar without making a cache, and will not build a stale one.
     */
    @Test
    void asRootInAnotherUsersCheckoutItNeitherTrainsNorBuilds() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        Path launcher = checkout();
        Files.setOwner(root, root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(0, LINE, ""));
        assertThat(cache()).doesNotExist();
        assertThat(root.resolve("sockit-cli/target/sockit.aot.stamp")).doesNotExist();

        Path pom = Files.writeString(root.resolve("pom.xml"), "<project/>"); // a source newer than the jar
        Files.setLastModifiedTime(pom, FileTime.from(Files.getLastModifiedTime(jar()).toInstant().plusSeconds(2)));
        assertThat(run(launcher, Map.of(), "daytime", daytime)).isEqualTo(new Result(1, "",
                "sockit: the build is missing or out of date: build it as nobody first (./sockit --version), not as root\n"));
    }

    /** The launcher, find-jdk.sh and the built jar, laid out as in the checkout, without sources: nothing to build. */
    private Path checkout() throws IOException {
        Path top = Path.of(System.getProperty("sockit.root", ".."));
        Files.createDirectories(root.resolve(".mvn"));
        Files.createDirectories(root.resolve("sockit-cli/target"));
        Files.copy(top.resolve("sockit"), root.resolve("sockit"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(top.resolve(".mvn/find-jdk.sh"), root.resolve(".mvn/find-jdk.sh"));
        Files.copy(SockitProcess.jar(), jar());
        return root.resolve("sockit");
    }

    private Path jar() {
        return root.resolve("sockit-cli/target/sockit.jar");
    }

    private Path cache() {
        return root.resolve("sockit-cli/target/sockit.aot");
    }

    private static Result run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("TZ", "UTC");
        pb.environment().remove("SOCKIT_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<byte[]> out = ClientProcess.drain(p.getInputStream());
        CompletableFuture<byte[]> err = ClientProcess.drain(p.getErrorStream());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./sockit " + String.join(" ", args) + " did not finish within 120s");
        }
        return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }
}
