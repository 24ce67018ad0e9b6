package dev.sockit.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/** `sockit serve` as a user runs it: the packaged jar in its own process, real clients, real signals. */
@Timeout(120)
class ServeIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("\\{.*\"event\":\"listening\",\"service\":\"(\\w+)\",\"transport\":\"tcp\",\"endpoint\":\"\\[::]:(\\d+)\"}");

    /** Starts `sockit serve --json` with the given specs and returns service -> port from its listening lines. */
    private static Map<String, Integer> ports(SockitProcess p, int listeners) throws InterruptedException {
        Map<String, Integer> ports = new HashMap<>();
        for (int i = 0; i < listeners; i++) {
            Matcher m = LISTENING.matcher(p.awaitErr(l -> LISTENING.matcher(l).matches(), WAIT));
            assertThat(m.matches()).isTrue();
            ports.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return ports;
    }

    private static byte[] exchange(String host, int port, byte[] send, boolean halfClose) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(send);
            if (halfClose) {
                s.shutdownOutput();
            }
            return s.getInputStream().readAllBytes();
        }
    }

    @Test
    void servesEveryServiceOnIpv4AndIpv6AndLogsEachConnection() throws Exception {
        try (SockitProcess p = SockitProcess.start("serve", "--json", "--daytime-format", "rfc3339",
                "echo@:0", "discard@:0", "daytime@:0", "qotd@:0", "chargen@:0", "time@:0")) {
            Map<String, Integer> port = ports(p, 6);
            for (String host : List.of("127.0.0.1", "::1")) {
                assertThat(exchange(host, port.get("echo"), "hi there\r\n".getBytes(US_ASCII), true)).isEqualTo("hi there\r\n".getBytes(US_ASCII));
                assertThat(exchange(host, port.get("discard"), "gone".getBytes(US_ASCII), true)).isEmpty();
                String daytime = new String(exchange(host, port.get("daytime"), new byte[0], false), US_ASCII);
                assertThat(daytime).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(Z|[+-]\\d\\d:\\d\\d)\r\n");
                assertThat(Duration.between(Instant.from(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(daytime.strip())), Instant.now()).abs())
                        .isLessThan(Duration.ofMinutes(1));
                byte[] quote = exchange(host, port.get("qotd"), new byte[0], false);
                assertThat(quote.length).isBetween(3, 511);
                byte[] time = exchange(host, port.get("time"), new byte[0], false);
                assertThat(time).hasSize(4);
                long since1900 = ((time[0] & 0xffL) << 24) | ((time[1] & 0xffL) << 16) | ((time[2] & 0xffL) << 8) | (time[3] & 0xffL);
                assertThat(Math.abs(since1900 - (Instant.now().getEpochSecond() + 2_208_988_800L))).isLessThan(60);
                try (Socket s = new Socket(host, port.get("chargen"))) {
                    assertThat(new String(s.getInputStream().readNBytes(74), US_ASCII))
                            .isEqualTo(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n");
                }
            }
            String logged = p.awaitErr(l -> l.contains("\"event\":\"connection\"") && l.contains("\"service\":\"echo\"") && l.contains("[::1]"), WAIT);
            assertThat(logged).contains("\"bytes_in\":10", "\"bytes_out\":10", "\"outcome\":\"closed\"", "\"duration_ms\":");
        }
    }

    @Test
    void realClientsGetAnswers() throws Exception {
        Assumptions.assumeTrue(Tools.has("socat") && Tools.has("rdate"), Tools.missing("socat", "rdate"));
        try (SockitProcess p = SockitProcess.start("serve", "--json", "echo@:0", "time@:0", "chargen@:0")) {
            Map<String, Integer> port = ports(p, 3);
            for (String host : List.of("127.0.0.1", "[::1]")) {
                assertThat(run(List.of("socat", "-t5", "-", "TCP:" + host + ":" + port.get("echo")), "ping\n")).isEqualTo("ping\n");
                String rdate = run(List.of("rdate", "-p", "-o", String.valueOf(port.get("time")), host.replace("[", "").replace("]", "")), "");
                // rdate prints the server's time as ctime would; ours is this machine's clock.
                assertThat(rdate).contains(String.valueOf(Instant.now().atZone(java.time.ZoneOffset.UTC).getYear()));
            }
        }
    }

    private static String run(List<String> cmd, String stdin) throws Exception {
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = proc.getOutputStream()) {
            in.write(stdin.getBytes(US_ASCII));
        }
        String out = new String(proc.getInputStream().readAllBytes(), US_ASCII);
        assertThat(proc.waitFor(30, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        assertThat(proc.exitValue()).as("%s exit code; output: %s", cmd, out).isZero();
        return out;
    }

    @Test
    void sigtermStopsAcceptingDrainsAnInFlightEchoAndExitsZero() throws Exception {
        try (SockitProcess p = SockitProcess.start("serve", "--json", "--grace", "20s", "echo@:0")) {
            int port = ports(p, 1).get("echo");
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write("before ".getBytes(US_ASCII));
                assertThat(in.readNBytes(7)).isEqualTo("before ".getBytes(US_ASCII));
                p.terminate(); // SIGTERM
                awaitRefused(p, port);
                assertThat(p.process.isAlive()).as("still draining our connection").isTrue();
                out.write("after".getBytes(US_ASCII));
                s.shutdownOutput();
                assertThat(new String(in.readAllBytes(), US_ASCII)).isEqualTo("after");
            }
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"stopped\""), WAIT)).contains("\"drained\":true");
            assertThat(p.awaitExit(WAIT)).isZero();
        }
    }

    /** The stopping event comes once the listener is closed: from then on, connections are refused. */
    private static void awaitRefused(SockitProcess p, int port) throws Exception {
        p.awaitErr(l -> l.contains("\"event\":\"stopping\""), WAIT);
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            throw new AssertionError("still accepting after SIGTERM");
        } catch (ConnectException refused) {
            // as it should be
        }
    }

    @Test
    void errorsThroughTheRealProcessAreOneLineWithTheirExitCode() throws Exception {
        try (SockitProcess p = SockitProcess.start("serve", "finger")) {
            assertThat(p.awaitExit(WAIT)).isEqualTo(2);
            assertThat(p.allErr.getFirst()).startsWith("sockit: unknown service 'finger'");
            assertThat(p.allErr).noneMatch(l -> l.contains("Exception"));
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0);
             SockitProcess p = SockitProcess.start("serve", "echo@:" + taken.getLocalPort())) {
            assertThat(p.awaitExit(WAIT)).isEqualTo(1);
            assertThat(p.allErr).containsExactly("sockit: cannot listen on tcp :" + taken.getLocalPort()
                    + " — address already in use (another program serves it; stop that one or choose another port)");
        }
        try (SockitProcess p = SockitProcess.start("--version")) {
            assertThat(p.awaitExit(WAIT)).isZero();
        }
    }

    /**
     * Needs root: it makes its own network namespace (where ports below 1024 are guarded by default,
     * whatever this machine's setting) and runs sockit there as nobody.
     */
    @Test
    void permissionDeniedBelow1024SaysWhatToDo() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to make a network namespace and drop to nobody");
        Assumptions.assumeTrue(Tools.has("setpriv") && Tools.has("unshare"), Tools.missing("setpriv", "unshare"));
        // nobody must be able to read the jar: copy it somewhere world-readable.
        Path dir = Files.createTempDirectory("sockit-it", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Files.copy(SockitProcess.jar(), dir.resolve("sockit.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> cmd = new ArrayList<>(List.of("unshare", "--net", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                SockitProcess.java(), "-jar", jar.toString(), "serve", "echo@127.0.0.1:7"));
        Process proc = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(proc.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Assumptions.assumeFalse(out.contains("unshare failed"), "this sandbox does not allow network namespaces: " + out);
        assertThat(proc.exitValue()).as(out).isEqualTo(1);
        assertThat(out.strip()).isEqualTo("sockit: cannot listen on tcp 127.0.0.1:7 — permission denied "
                + "(ports below 1024 need root or CAP_NET_BIND_SERVICE; try --port-offset 10000)");
    }

    /** With a tiny descriptor limit, accept fails with EMFILE: the server backs off, says so once, and recovers. */
    @Test
    void tooManyOpenFilesBacksOffAndRecovers() throws Exception {
        try (SockitProcess p = SockitProcess.start(List.of("bash", "-c", "ulimit -n 80 && exec \"$0\" \"$@\""),
                "serve", "--json", "echo@127.0.0.1:0")) {
            Matcher m = Pattern.compile(".*\"endpoint\":\"127\\.0\\.0\\.1:(\\d+)\".*")
                    .matcher(p.awaitErr(l -> l.contains("\"listening\""), WAIT));
            assertThat(m.matches()).isTrue();
            int port = Integer.parseInt(m.group(1));
            List<Socket> hogs = new ArrayList<>();
            try {
                for (int i = 0; i < 120; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000); // the kernel's backlog accepts
                    hogs.add(s);
                }
                String warning = p.awaitErr(l -> l.contains("\"warning\"") && l.contains("accept on"), WAIT);
                assertThat(warning).contains("Too many open files", "backing off");
            } finally {
                for (Socket s : hogs) {
                    s.close();
                }
            }
            p.awaitErr(l -> l.contains("recovered after"), WAIT);
            assertThat(exchange("127.0.0.1", port, "alive".getBytes(US_ASCII), true)).isEqualTo("alive".getBytes(US_ASCII));
            long warnings = p.allErr.stream().filter(l -> l.contains("failed") && l.contains("accept on")).count();
            assertThat(warnings).as("accept failures are reported at most once per interval, not per failure").isLessThanOrEqualTo(2);
        }
    }
}
