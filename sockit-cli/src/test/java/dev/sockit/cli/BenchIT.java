package dev.sockit.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged {@code sockit bench} as a real process, against a packaged {@code sockit serve} on loopback. */
@Timeout(120)
class BenchIT {
    private static final Pattern LISTENING = Pattern.compile("sockit: (\\w+) listening on tcp 127\\.0\\.0\\.1:(\\d+)");
    private static Process server;
    private static final Map<String, Integer> ports = new ConcurrentHashMap<>();

    record Outcome(int exit, String out, String err) {
    }

    static List<String> sockit(String... args) {
        String jar = System.getProperty("sockit.jar", "target/sockit.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @BeforeAll
    static void serve() throws Exception {
        server = new ProcessBuilder(sockit("serve", "echo@127.0.0.1:0", "daytime@127.0.0.1:0", "--quiet")).start();
        CountDownLatch ready = new CountDownLatch(2);
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        ports.put(m.group(1), Integer.parseInt(m.group(2)));
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the server ended
            }
        });
        assertThat(ready.await(30, TimeUnit.SECONDS)).as("sockit serve printed its listeners").isTrue();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
    }

    static Outcome run(String... args) throws Exception {
        Process p = new ProcessBuilder(sockit(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        StringBuilder errText = new StringBuilder();
        Thread err = Thread.ofVirtual().start(() -> {
            try {
                errText.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        err.join();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Outcome(p.exitValue(), out, errText.toString());
    }

    @Test
    void pingpongPrintsItsTableAndNoProgressLineWhenNotOnATerminal() throws Exception {
        Outcome o = run("bench", "127.0.0.1:" + ports.get("echo"), "-c", "2", "-d", "500ms");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).startsWith("sockit bench pingpong 127.0.0.1:" + ports.get("echo") + " (echo): 2 connections, 64-byte messages")
                .contains("messages").contains("latency").contains("p99.9").contains("every reply verified").contains("load CPU")
                .doesNotContain("\r");
        assertThat(o.err()).isEmpty();
    }

    @Test
    void jsonIsOneObjectWithTheFigures() throws Exception {
        Outcome o = run("bench", "127.0.0.1:" + ports.get("echo"), "-m", "stream", "-c", "2", "-d", "500ms", "--json");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out().strip().lines()).hasSize(1);
        assertThat(o.out()).startsWith("{\"mode\":\"stream\",\"transport\":\"tcp\"").contains("\"mismatches\":0")
                .contains("\"errors\":0").contains("\"ok\":true").containsPattern("\"mb_per_s_received\":[1-9]")
                .containsPattern("\"cpu_share\":[0-9.]+");
    }

    @Test
    void connrateOnDaytime() throws Exception {
        Outcome o = run("bench", "127.0.0.1:" + ports.get("daytime"), "-m", "connrate", "-d", "500ms", "--json");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).contains("\"service\":\"daytime\"").containsPattern("\"ops\":[1-9]").contains("\"mismatches\":0");
    }

    @Test
    void aWrongReplyFailsTheRunWithOneLineOnStderr() throws Exception {
        // The daytime server does not send RFC 868's 4 bytes: every reply is a mismatch.
        Outcome o = run("bench", "127.0.0.1:" + ports.get("daytime"), "-m", "connrate", "--service", "time", "-d", "300ms");
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err().strip().lines()).hasSize(1);
        assertThat(o.err()).startsWith("sockit: bench connrate against 127.0.0.1:").contains("wrong replies").contains("RFC 868 says 4");
        assertThat(o.out()).contains("mismatches");
    }

    @Test
    void badOptionsExitTwoWithoutAStackTrace() throws Exception {
        Outcome o = run("bench", "127.0.0.1:" + ports.get("echo"), "--mode", "flood");
        assertThat(o.exit()).isEqualTo(2);
        assertThat(o.err()).startsWith("sockit: unknown mode 'flood'").doesNotContain("Exception");
        assertThat(o.out()).isEmpty();
    }

    @Test
    void helpTeachesWithExamples() throws Exception {
        Outcome o = run("bench", "--help");
        assertThat(o.exit()).isZero();
        assertThat(o.out()).contains("pingpong").contains("connrate").contains("Examples:").contains("--json").contains("--rate");
    }
}
