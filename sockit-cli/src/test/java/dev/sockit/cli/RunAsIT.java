package dev.sockit.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `sockit serve --user`: started as root, every socket bound (a port below 1024 among them), then
 * the whole process, every thread of it, runs as nobody. Needs root, as the feature does.
 */
@Timeout(120)
class RunAsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile(".*\"event\":\"listening\",\"service\":\"(\\w+)\",\"transport\":\"(tcp|udp)\",\"endpoint\":\"127\\.0\\.0\\.1:(\\d+)\"}");

    @BeforeAll
    static void asRoot() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root: switching user is root's to do");
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "threads"})
    void startedAsRootItBindsAPrivilegedPortThenServesAsNobodyInEveryThread(String engine) throws Exception {
        int low = freePrivilegedPort();
        int uid = id("-u", "nobody");
        String gid = Integer.toString(id("-g", "nobody"));
        try (SockitProcess p = SockitProcess.start("serve", "--json", "--engine", engine, "--user", "nobody",
                "daytime/tcp@127.0.0.1:" + low, "echo/udp@127.0.0.1:0")) {
            int tcp = -1;
            int udp = -1;
            for (int i = 0; i < 2; i++) {
                Matcher m = LISTENING.matcher(p.awaitErr(l -> LISTENING.matcher(l).matches(), WAIT));
                assertThat(m.matches()).isTrue();
                if (m.group(2).equals("tcp")) {
                    tcp = Integer.parseInt(m.group(3));
                } else {
                    udp = Integer.parseInt(m.group(3));
                }
            }
            assertThat(tcp).isEqualTo(low);
            String said = p.awaitErr(l -> l.contains("\"event\":\"user\""), WAIT);
            assertThat(said).contains("\"user\":\"nobody\"").containsPattern("\"uid\":" + uid + "\\b").containsPattern("\"gid\":" + gid + "\\b");

            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", tcp), 5000);
                s.setSoTimeout(10_000);
                assertThat(new String(s.getInputStream().readAllBytes(), US_ASCII)).matches("\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n");
            }
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                d.setSoTimeout(10_000);
                byte[] ping = "ping".getBytes(US_ASCII);
                d.send(new DatagramPacket(ping, ping.length, InetAddress.getByName("127.0.0.1"), udp));
                DatagramPacket back = new DatagramPacket(new byte[64], 64);
                d.receive(back);
                assertThat(new String(back.getData(), 0, back.getLength(), US_ASCII)).isEqualTo("ping");
            }

            // Every thread, the JVM's own included (started before the switch), now runs as nobody.
            long pid = p.process.pid();
            List<String> ids = new ArrayList<>();
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        for (String line : Files.readAllLines(t.resolve("status"))) {
                            if (line.startsWith("Uid:") || line.startsWith("Gid:") || line.startsWith("Groups:")) {
                                ids.add(t.getFileName() + " " + line);
                            }
                        }
                    } catch (IOException ended) {
                        // the thread ended while we looked
                    }
                }
            }
            String groups = String.join(" ", java.util.Arrays.stream(idText("-G", "nobody").split(" ")).sorted().toList());
            assertThat(ids).isNotEmpty()
                    .filteredOn(l -> l.contains("Uid:")).allMatch(l -> l.endsWith("Uid:" + ("\t" + uid).repeat(4)), "runs as nobody");
            assertThat(ids).filteredOn(l -> l.contains("Gid:")).allMatch(l -> l.endsWith("Gid:" + ("\t" + gid).repeat(4)), "in nobody's group");
            assertThat(ids).filteredOn(l -> l.contains("Groups:"))
                    .allMatch(l -> String.join(" ", java.util.Arrays.stream(l.substring(l.indexOf(':') + 1).strip().split("\\s+")).sorted().toList()).equals(groups),
                            "with nobody's groups (" + groups + "), root's gone");

            p.terminate();
            assertThat(p.awaitExit(WAIT)).isZero();
            assertThat(Path.of("/tmp", "hsperfdata_root", Long.toString(pid))).as("the JVM's root-owned perf-data file, removed before the switch").doesNotExist();
        }
    }

    @Test
    void anUnknownUserIsAUsageError() throws Exception {
        try (SockitProcess p = SockitProcess.start("serve", "--user", "no-such-user-sockit", "daytime/tcp@127.0.0.1:0")) {
            assertThat(p.awaitErr(l -> l.contains("--user"), WAIT)).isEqualTo("sockit: --user: no user named 'no-such-user-sockit' on this system");
            assertThat(p.awaitErr(l -> true, WAIT)).startsWith("Try 'sockit serve --help'");
            assertThat(p.awaitExit(WAIT)).isEqualTo(2);
        }
    }

    /** Said before binding: the port below 1024 would otherwise fail first, and less clearly. */
    @Test
    void aServerNotStartedAsRootCannotSwitchAndSaysSoBeforeBinding() throws Exception {
        Assumptions.assumeTrue(Tools.has("setpriv"), Tools.missing("setpriv"));
        // nobody must be able to read the jar: copy it somewhere world-readable.
        Path dir = Files.createTempDirectory("sockit-it", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Files.copy(SockitProcess.jar(), dir.resolve("sockit.jar"));
        Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        int uid = id("-u", "nobody");
        try (SockitProcess p = SockitProcess.command(List.of("setpriv", "--reuid=" + uid, "--regid=" + id("-g", "nobody"), "--clear-groups",
                SockitProcess.java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "serve", "--user", "root", "daytime/tcp@127.0.0.1:" + freePrivilegedPort()))) {
            assertThat(p.awaitErr(l -> l.startsWith("sockit:"), WAIT)).isEqualTo("sockit: cannot switch to user root: sockit runs as uid " + uid
                    + ", and only root may change its user (start it as root, or leave --user out)");
            assertThat(p.awaitExit(WAIT)).isEqualTo(1);
        } finally {
            Files.deleteIfExists(jar);
            Files.deleteIfExists(dir);
        }
    }

    /** A port below 1024 that nothing on 127.0.0.1 holds (root may bind it: this is what --user is for). */
    private static int freePrivilegedPort() throws IOException {
        for (int port = 1023; port > 600; port--) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // try the next
            }
        }
        throw new IllegalStateException("no free port from 601 to 1023 on 127.0.0.1");
    }

    /** What {@code id OPTION USER} prints: a user's uid (-u), gid (-g) or groups (-G), as the system sees them. */
    private static String idText(String option, String user) throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", option, user).redirectErrorStream(true).start();
        String out = new String(id.getInputStream().readAllBytes(), US_ASCII).strip();
        assertThat(id.waitFor()).as("id " + option + " " + user + ": " + out).isZero();
        return out;
    }

    private static int id(String option, String user) throws IOException, InterruptedException {
        return Integer.parseInt(idText(option, user));
    }
}
