package dev.sockit.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.sockit.cli.Tools.check;
import static dev.sockit.cli.Tools.sh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TCP keepalive proven on the wire. Two network namespaces made here, joined by a veth pair (the
 * only hosts this test talks to): `sockit serve --keepalive 1,1,3` in one, clients in the other,
 * tcpdump on the server's veth. The probes must appear about 1 s after the last data and then about
 * 1 s apart; once the link is cut, the server must declare the connection dead within
 * idle + interval x count (+ slack), log it and free it, and `sockit keepalive` on the other side must
 * say the same. Needs root (CI runs as root); skips with the reason elsewhere.
 */
@Tag("netns")
@Timeout(120)
class KeepaliveNetnsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String a = "sockit-a-" + ThreadLocalRandom.current().nextInt(1_000_000);
    private final String b = "sockit-b-" + ThreadLocalRandom.current().nextInt(1_000_000);
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void makeTwoHosts() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        Assumptions.assumeTrue(Tools.has("tcpdump") && Tools.has("socat") && Tools.has("ip") && Tools.has("ss"),
                Tools.missing("tcpdump", "socat", "iproute2"));
        Assumptions.assumeTrue(sh("ip", "netns", "add", a) == 0, "this sandbox does not allow network namespaces (ip netns add failed)");
        check("ip", "netns", "add", b);
        check("ip", "link", "add", "vA", "netns", a, "type", "veth", "peer", "name", "vB", "netns", b);
        check("ip", "-n", a, "addr", "add", "10.77.0.1/30", "dev", "vA");
        check("ip", "-n", b, "addr", "add", "10.77.0.2/30", "dev", "vB");
        for (String[] up : new String[][] {{a, "vA"}, {b, "vB"}, {a, "lo"}, {b, "lo"}}) {
            check("ip", "-n", up[0], "link", "set", up[1], "up");
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        sh("ip", "netns", "del", a);
        sh("ip", "netns", "del", b);
    }

    @Test
    void probesAppearOnTheWireAndADeadPathIsDeclaredDeadAndFreed() throws Exception {
        Lines dump = start(List.of("ip", "netns", "exec", a, "tcpdump", "-i", "vA", "-nn", "-l", "-tt", "tcp port 7007"));
        dump.awaitErr(l -> l.contains("listening on vA"));
        SockitProcess server = SockitProcess.start(List.of("ip", "netns", "exec", a),
                "serve", "--json", "echo@10.77.0.1:7007", "--keepalive", "1,1,3");
        processes.add(server.process);
        assertThat(server.awaitErr(l -> l.contains("\"listening\""), WAIT)).contains("\"options\":\"keepalive=1,1,3\"");

        // A client that says one line and then stays silent, its stdin held open.
        Process socat = new ProcessBuilder("ip", "netns", "exec", b, "socat", "-", "TCP:10.77.0.1:7007").start();
        processes.add(socat);
        OutputStream toSocat = socat.getOutputStream();
        toSocat.write("hi\n".getBytes(StandardCharsets.US_ASCII));
        toSocat.flush();
        assertThat(new BufferedReader(new InputStreamReader(socat.getInputStream(), StandardCharsets.US_ASCII)).readLine()).isEqualTo("hi");

        // The diagnostic on the client side, with the same settings.
        SockitProcess diagnose = SockitProcess.start(List.of("ip", "netns", "exec", b),
                "keepalive", "10.77.0.1:7007", "--keepalive", "1,1,3", "--json", "--duration", "60s");
        processes.add(diagnose.process);

        // Watch the echo connection: the server's last data segment, then three answered probes.
        Pattern segment = Pattern.compile("(\\d+\\.\\d+) IP 10\\.77\\.0\\.1\\.7007 > 10\\.77\\.0\\.2\\.(\\d+): Flags \\[([^]]+)], .*length (\\d+)");
        double lastData = -1;
        String echoPort = null;
        List<Double> probes = new ArrayList<>();
        while (probes.size() < 3) {
            Matcher m = segment.matcher(dump.awaitOut(l -> segment.matcher(l).find()));
            assertThat(m.find()).isTrue();
            double t = Double.parseDouble(m.group(1));
            int length = Integer.parseInt(m.group(4));
            if (length > 0) {
                lastData = t;
                echoPort = m.group(2);
            } else if (lastData > 0 && m.group(2).equals(echoPort) && m.group(3).equals(".")) {
                probes.add(t);
            }
        }
        assertThat(probes.get(0) - lastData).as("first probe after the idle time (1 s)").isBetween(0.8, 2.5);
        assertThat(probes.get(1) - probes.get(0)).as("probe interval (1 s)").isBetween(0.8, 2.5);
        assertThat(probes.get(2) - probes.get(1)).as("probe interval (1 s)").isBetween(0.8, 2.5);

        // Cut the path. Nothing answers the probes any more.
        long cut = System.nanoTime();
        check("ip", "-n", b, "link", "set", "vB", "down");
        String ended = server.awaitErr(l -> l.contains("\"event\":\"connection\"") && l.contains("\"bytes_in\":3"), WAIT);
        double secondsToDeath = (System.nanoTime() - cut) / 1e9;
        assertThat(ended).contains("\"outcome\":\"timed out\"", "\"peer\":\"10.77.0.2:");
        assertThat(secondsToDeath).as("dead within idle + interval x count + slack").isLessThan(1 + 1 * 3 + 4);

        // Freed: no established connection left on the server's port.
        Process ss = new ProcessBuilder("ip", "netns", "exec", a, "ss", "-Htn", "state", "established", "( sport = :7007 )").start();
        String established = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        ss.waitFor(10, TimeUnit.SECONDS);
        assertThat(established).as("established connections on :7007").isBlank();

        // The client-side diagnostic reports the dead path and exits 1.
        assertThat(diagnose.awaitExit(WAIT)).isEqualTo(1);
        assertThat(diagnose.allOut).anyMatch(l -> l.contains("\"event\":\"connected\"") && l.contains("\"keepalive\":\"1,1,3\""));
        assertThat(diagnose.allOut).anyMatch(l -> l.contains("\"event\":\"dead\"") && l.contains("timed out"));
    }

    private Lines start(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        processes.add(p);
        return new Lines(p);
    }

    /** A process's output and error lines, awaited as they come. */
    private static final class Lines {
        private final LinkedBlockingQueue<String> out = new LinkedBlockingQueue<>();
        private final LinkedBlockingQueue<String> err = new LinkedBlockingQueue<>();
        private final List<String> seen = new CopyOnWriteArrayList<>();

        Lines(Process p) {
            pump(p.getInputStream(), out);
            pump(p.getErrorStream(), err);
        }

        private void pump(java.io.InputStream in, LinkedBlockingQueue<String> q) {
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        seen.add(l);
                        q.add(l);
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            });
        }

        String awaitOut(java.util.function.Predicate<String> p) throws InterruptedException {
            return await(out, p);
        }

        String awaitErr(java.util.function.Predicate<String> p) throws InterruptedException {
            return await(err, p);
        }

        private String await(LinkedBlockingQueue<String> q, java.util.function.Predicate<String> p) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String l = q.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    throw new AssertionError("no matching line within " + WAIT + "; seen:\n" + String.join("\n", seen));
                }
                if (p.test(l)) {
                    return l;
                }
            }
        }
    }
}
