package dev.sockit.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "threads"})
    void servesEveryServiceOnIpv4AndIpv6AndLogsEachConnection(String engine) throws Exception {
        try (SockitProcess p = SockitProcess.start("serve", "--json", "--daytime-format", "rfc3339", "--engine", engine,
                "echo@:0", "discard@:0", "daytime@:0", "qotd@:0", "chargen@:0", "time@:0")) {
            Map<String, Integer> port = ports(p, 6);
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"engine\""), WAIT)).contains("\"engine\":\"" + engine + "\"");
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

    /**
     * --allow/--deny as a user gives them: the access line at start, socat from a denied address gets
     * nothing but the end of the connection, from an allowed one the daytime line, and the refusal is
     * said in a warning; a datagram from the denied address is counted as not allowed.
     */
    @Test
    void anAccessListServesOnlyTheAddressesItAllows() throws Exception {
        Assumptions.assumeTrue(Tools.has("socat"), Tools.missing("socat"));
        try (SockitProcess p = SockitProcess.start("serve", "--json", "daytime@:0", "echo/udp@127.0.0.1:0", "--report-every", "1s",
                "--allow", "127.0.0.0/8,::1", "--deny", "127.0.0.1")) {
            int port = ports(p, 1).get("daytime");
            String udp = p.awaitErr(l -> l.contains("\"event\":\"listening\",\"service\":\"echo\",\"transport\":\"udp\""), WAIT);
            int udpPort = Integer.parseInt(udp.replaceAll(".*\"endpoint\":\"127\\.0\\.0\\.1:(\\d+)\".*", "$1"));
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"access\""), WAIT))
                    .contains("\"allow\":[\"127.0.0.0/8\",\"::1\"],\"deny\":[\"127.0.0.1\"]");
            assertThat(run(List.of("socat", "-t5", "-u", "TCP:127.0.0.1:" + port, "-"), "")).as("127.0.0.1 is denied").isEmpty();
            assertThat(run(List.of("socat", "-t5", "-u", "TCP:127.0.0.1:" + port + ",bind=127.0.0.2", "-"), ""))
                    .as("127.0.0.2 is allowed").matches("\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n");
            assertThat(run(List.of("socat", "-t5", "-u", "TCP:[::1]:" + port, "-"), "")).as("::1 is allowed").isNotEmpty();
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"warning\""), WAIT))
                    .contains("refused 1 connection(s) from addresses the access list does not allow, the last from 127.0.0.1");
            run(List.of("socat", "-t0.1", "-", "UDP:127.0.0.1:" + udpPort), "ping\n");
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"datagrams\""), WAIT)).contains("\"dropped_not_allowed\":1");
        }
    }

    /** An option for something not served does nothing: said as a warning, and the server serves. */
    @Test
    void anOptionForWhatIsNotServedIsAWarning(@TempDir Path dir) throws Exception {
        Path quotes = Files.writeString(dir.resolve("quotes"), "one\n%\ntwo\n");
        try (SockitProcess p = SockitProcess.start("serve", "--json", "echo/tcp@127.0.0.1:0", "--quotes", quotes.toString())) {
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"warning\""), WAIT))
                    .contains("\"message\":\"--quotes has nothing to do: qotd is not served\"");
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT)).contains("\"service\":\"echo\"");
        }
    }

    /** With --json, what stops serve is an event too, so that stderr stays one JSON object a line. */
    @Test
    void aPortInUseIsAJsonEventUnderJson() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.ofLiteral("127.0.0.1"))) {
            ClientProcess.Result r = ClientProcess.run(new byte[0], "serve", "--json", "echo/tcp@127.0.0.1:" + taken.getLocalPort());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().lines().toList()).singleElement().satisfies(line -> assertThat(line)
                    .matches("\\{\"time\":\"[^\"]+\",\"event\":\"failed\",\"message\":\"cannot listen on tcp 127\\.0\\.0\\.1:"
                            + taken.getLocalPort() + " — address already in use \\(another program serves it; stop that one or choose another port\\)\"}"));
        }
    }

    /** A config file is an argument file (@FILE): a line per argument or option, # for comments. */
    @Test
    void serveTakesItsArgumentsFromAFile(@TempDir Path dir) throws Exception {
        Path args = Files.writeString(dir.resolve("serve.args"), String.join("\n",
                "# what this host serves",
                "--json",
                "daytime/tcp@127.0.0.1:0",
                "--allow 127.0.0.0/8",
                "--daytime-format rfc3339", ""));
        try (SockitProcess p = SockitProcess.start("serve", "@" + args)) {
            String listening = p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT);
            int port = Integer.parseInt(listening.replaceAll(".*\"endpoint\":\"127\\.0\\.0\\.1:(\\d+)\".*", "$1"));
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"access\""), WAIT)).contains("\"allow\":[\"127.0.0.0/8\"]");
            assertThat(new String(exchange("127.0.0.1", port, new byte[0], true), US_ASCII))
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\r\n");
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

    /**
     * SIGHUP (the terminal that started it closed) stops as gracefully as SIGTERM: the JVM's own default
     * exits at once. A hang-up sends a second SIGHUP (the session leader's exit): no reason to hurry.
     */
    @Test
    void sighupStopsGracefullyEvenWhenItComesTwice(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("echo.sock");
        try (SockitProcess p = SockitProcess.start("serve", "--json", "--grace", "20s", "echo@unix:" + file)) {
            p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT);
            try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(file))) {
                c.write(java.nio.ByteBuffer.wrap("held".getBytes(US_ASCII)));
                assertThat(c.read(java.nio.ByteBuffer.allocate(4))).isEqualTo(4); // served: the stop below must wait for it
                hangUp(p);
                p.awaitErr(l -> l.contains("\"event\":\"stopping\""), WAIT);
                hangUp(p);
                assertThat(p.process.isAlive()).as("still draining our connection").isTrue();
            }
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"stopped\""), WAIT)).contains("\"drained\":true");
            assertThat(p.awaitExit(WAIT)).isZero();
            assertThat(Files.exists(file)).as("the socket file is removed").isFalse();
        }
    }

    /** A second SIGTERM while the first stop drains: leave at once, and say so. */
    @Test
    void aSecondSigtermWhileDrainingStopsAtOnce() throws Exception {
        try (SockitProcess p = SockitProcess.start("serve", "--json", "--grace", "60s", "echo@:0")) {
            int port = ports(p, 1).get("echo");
            try (Socket s = new Socket("127.0.0.1", port)) { // held open: a graceful stop would wait a minute for it
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
                p.terminate();
                p.awaitErr(l -> l.contains("\"event\":\"stopping\""), WAIT);
                p.terminate();
                assertThat(p.awaitExit(WAIT)).isEqualTo(1);
            }
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"failed\""), WAIT)).contains("stopped at once by a second signal");
        }
    }

    private static void hangUp(SockitProcess p) throws Exception {
        assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.sockit().pid())).start().waitFor()).isZero();
    }

    /**
     * Run from the class path instead of with -jar, the jar manifest's Add-Exports does not apply, so
     * the epoll engine cannot read the JDK listener's descriptor: the default falls back to threads
     * and says so once; asking for epoll outright is a one-line runtime error.
     */
    @Test
    void whereEpollCannotRunTheDefaultFallsBackToThreadsAndSaysSo() throws Exception {
        List<String> fromClassPath = List.of(SockitProcess.java(), "--enable-native-access=ALL-UNNAMED", "-cp", SockitProcess.jar().toString(),
                "dev.sockit.cli.Main", "serve", "--json", "echo@127.0.0.1:0", "discard@127.0.0.1:0");
        try (SockitProcess p = SockitProcess.command(fromClassPath)) {
            String warning = p.awaitErr(l -> l.contains("\"warning\""), WAIT);
            assertThat(warning).contains("the epoll engine cannot run here (java.base/sun.nio.ch is not exported", "serving with the threads engine");
            Matcher m = Pattern.compile(".*\"endpoint\":\"127\\.0\\.0\\.1:(\\d+)\".*").matcher(p.awaitErr(l -> l.contains("\"listening\""), WAIT));
            assertThat(m.matches()).isTrue();
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"engine\""), WAIT)).contains("\"engine\":\"threads\"");
            assertThat(exchange("127.0.0.1", Integer.parseInt(m.group(1)), "still served".getBytes(US_ASCII), true))
                    .isEqualTo("still served".getBytes(US_ASCII));
            assertThat(p.allErr.stream().filter(l -> l.contains("cannot run here")).count()).as("said once, not per listener").isEqualTo(1);
        }
        List<String> askForEpoll = new ArrayList<>(fromClassPath.subList(0, 5));
        askForEpoll.addAll(List.of("serve", "--engine", "epoll", "echo@127.0.0.1:0"));
        try (SockitProcess p = SockitProcess.command(askForEpoll)) {
            String line = p.awaitErr(l -> l.startsWith("sockit:"), WAIT);
            assertThat(p.awaitExit(WAIT)).isEqualTo(1);
            assertThat(p.allErr).hasSize(1);
            assertThat(line).startsWith("sockit: the epoll engine cannot run here: java.base/sun.nio.ch is not exported")
                    .endsWith("(use --engine threads)");
        }
    }

    /**
     * Under a CPU quota (a container's CPU limit; here a cgroup of our own), busy polling would spend
     * the quota itself, so neither engine polls unless asked to, and serve says why. Needs root
     * and the cgroup v1 cpu controller (CI has both); skips elsewhere with the reason. A limit is
     * given so that the engine line carries no note on the heap, whatever this machine's memory.
     */
    @Test
    void underACpuQuotaNoEngineBusyPollsAndServeSaysWhy() throws Exception {
        Path cpu = Path.of("/sys/fs/cgroup/cpu");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isWritable(cpu.resolve("cgroup.procs")),
                "needs root and the cgroup v1 cpu controller at " + cpu + " to make a CPU quota");
        Path group = Files.createDirectories(cpu.resolve("sockit-serve-it-" + ProcessHandle.current().pid()));
        try {
            Files.writeString(group.resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "50000");
            List<String> inGroup = List.of("sh", "-c", "echo $$ > " + group.resolve("cgroup.procs") + " && exec \"$@\"", "sh");
            try (SockitProcess p = SockitProcess.start(inGroup, "serve", "echo@127.0.0.1:0", "--max-connections", "1000", "--engine", "epoll")) {
                assertThat(p.awaitErr(l -> l.contains("served by the"), WAIT))
                        .isEqualTo("sockit: stream connections served by the epoll engine (no busy polling: a CPU quota limits this process to 0.5 CPUs)");
            }
            try (SockitProcess p = SockitProcess.start(inGroup, "serve", "echo@127.0.0.1:0", "--max-connections", "1000", "--engine", "epoll", "--busy-poll", "20us")) {
                assertThat(p.awaitErr(l -> l.contains("served by the"), WAIT)).as("asked for: no note")
                        .isEqualTo("sockit: stream connections served by the epoll engine");
            }
            try (SockitProcess p = SockitProcess.start(inGroup, "serve", "echo@127.0.0.1:0", "--max-connections", "1000", "--engine", "threads")) {
                assertThat(p.awaitErr(l -> l.contains("served by the"), WAIT)).as("the threads engine follows the same rule")
                        .isEqualTo("sockit: stream connections served by the threads engine (no busy polling: a CPU quota limits this process to 0.5 CPUs)");
            }
        } finally {
            Files.deleteIfExists(group); // the servers have exited: the group is empty
        }
    }

    /**
     * The virtual-thread scheduler never preempts, and a busy-polling connection holds its carrier for
     * as long as its client keeps sending within the poll. On one CPU (one carrier) with the longest poll (10 ms), a
     * client that never pauses would keep the acceptor from ever running if its connection did not
     * step aside now and then (a yield is not enough: the carrier takes the thread straight back): a
     * second client must still be served while the first one chats.
     */
    @ParameterizedTest
    @ValueSource(strings = {"threads", "epoll"})
    void aChattyClientOnOneCpuDoesNotKeepOthersWaiting(String engine) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/taskset")), "needs taskset (util-linux) to give the server one CPU");
        try (SockitProcess p = SockitProcess.start(List.of("/usr/bin/taskset", "-c", "0"),
                "serve", "--json", "--engine", engine, "--busy-poll", "10ms", "echo@:0")) {
            int port = ports(p, 1).get("echo");
            AtomicBoolean secondServed = new AtomicBoolean();
            AtomicLong chatted = new AtomicLong();
            try (Socket chatty = new Socket("127.0.0.1", port)) {
                chatty.setSoTimeout(10_000);
                Thread chat = Thread.ofPlatform().start(() -> {
                    byte[] message = "ping\r\n".getBytes(US_ASCII);
                    try {
                        while (!secondServed.get()) {
                            chatty.getOutputStream().write(message);
                            assertThat(chatty.getInputStream().readNBytes(message.length)).isEqualTo(message);
                            chatted.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                while (chatted.get() < 100) {
                    Thread.onSpinWait(); // the first client is in full flow (and its connection polling) before the second comes
                }
                byte[] reply = exchange("127.0.0.1", port, "second\r\n".getBytes(US_ASCII), true);
                secondServed.set(true);
                chat.join(10_000);
                assertThat(reply).isEqualTo("second\r\n".getBytes(US_ASCII));
            }
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
     * Bounded memory: with a small heap and no --max-connections, the limit drops to what half the
     * heap holds with both buffers of every connection full, said with the engine line; a limit given
     * above that is kept, with a warning.
     */
    @Test
    void aSmallHeapLowersTheDefaultConnectionLimitAndSaysSo() throws Exception {
        List<String> small = List.of(SockitProcess.java(), "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-jar", SockitProcess.jar().toString(),
                "serve", "echo@127.0.0.1:0");
        try (SockitProcess p = SockitProcess.command(small)) {
            Matcher m = Pattern.compile("sockit: stream connections served by the \\w+ engine \\(at most (\\d+) connections at once, not 10000: "
                    + "what half the (\\d+) MiB heap holds with every buffer full; SOCKIT_JAVA_OPTS=-Xmx3g or --max-connections for more\\)")
                    .matcher(p.awaitErr(l -> l.contains("stream connections served by"), WAIT));
            assertThat(m.matches()).isTrue();
            int heapMiB = Integer.parseInt(m.group(2));
            assertThat(Integer.parseInt(m.group(1))).as("half the heap over 2 x 64 KiB").isBetween(heapMiB * 4, heapMiB * 4 + 3);
            assertThat(p.allErr).noneMatch(l -> l.contains("warning"));
        }
        List<String> given = new ArrayList<>(small);
        given.add("--max-connections=5000");
        try (SockitProcess p = SockitProcess.command(given)) {
            assertThat(p.awaitErr(l -> l.contains("warning:"), WAIT)).matches(".* warning: at most 5000 connections may each hold 64 KiB in and out: "
                    + "625 MiB at worst, more than half of the \\d+ MiB heap; lower the connection limit to \\d+, or give the JVM more heap");
            assertThat(p.awaitErr(l -> l.contains("stream connections served by"), WAIT)).doesNotContain("at most");
        }
    }

    /**
     * A host name that does not resolve fails the start, over TCP and UDP alike (UDP bound every
     * address instead). The JVM resolves from a hosts file of its own, so no DNS query leaves the machine.
     */
    @Test
    void aHostNameThatDoesNotResolveIsAnErrorNotTheWildcard(@TempDir Path dir) throws Exception {
        Path hosts = Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n");
        for (String spec : List.of("echo@no-such-host.invalid:0", "echo/udp@no-such-host.invalid:0")) {
            String transport = spec.contains("/udp") ? "udp" : "tcp";
            try (SockitProcess p = SockitProcess.command(List.of(SockitProcess.java(), "-Djdk.net.hosts.file=" + hosts,
                    "--enable-native-access=ALL-UNNAMED", "-jar", SockitProcess.jar().toString(), "serve", spec))) {
                assertThat(p.awaitExit(WAIT)).isEqualTo(1);
                assertThat(p.allErr).containsExactly("sockit: cannot listen on " + transport + " no-such-host.invalid:0 — cannot resolve "
                        + "'no-such-host.invalid' (use an address of this machine, or :PORT for all)");
            }
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
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "threads"})
    void tooManyOpenFilesBacksOffAndRecovers(String engine) throws Exception {
        try (SockitProcess p = SockitProcess.start(List.of("bash", "-c", "ulimit -n 80 && exec \"$0\" \"$@\""),
                "serve", "--json", "--engine", engine, "echo@127.0.0.1:0")) {
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

    /**
     * A connection that gets no thread (here: the threads engine serves a Unix socket it accepts
     * through FFM with a platform thread each, and the process may start no more threads) is dropped
     * alone: the acceptor lives on, says so once, and serves the next client once a thread is free.
     * Needs root, to run sockit as nobody, whose process limit root would not be held to.
     */
    @Test
    void aConnectionThatGetsNoThreadIsDroppedAloneAndTheAcceptorGoesOn() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to drop to nobody and set its process limit");
        Assumptions.assumeTrue(Tools.has("setpriv") && Tools.has("prlimit") && Tools.has("socat"), Tools.missing("setpriv", "prlimit", "socat"));
        Path dir = Files.createTempDirectory("sockit-it", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Files.copy(SockitProcess.jar(), dir.resolve("sockit.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        String name = "sockit-threads-" + ProcessHandle.current().pid();
        // A fixed set of JVM threads, so that the limit set below leaves room for exactly one more.
        try (SockitProcess p = SockitProcess.command(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                SockitProcess.java(), "-XX:+UseSerialGC", "-XX:-UseDynamicNumberOfCompilerThreads", "--enable-native-access=ALL-UNNAMED",
                "-jar", jar.toString(), "serve", "--json", "--engine", "threads", "echo@unix:@" + name))) {
            p.awaitErr(l -> l.contains("\"listening\""), WAIT);
            Client warmUp = Client.abstractSocket(name); // whatever the first connection starts lazily, it starts now
            assertThat(warmUp.echo("warm")).isEqualTo("warm");
            warmUp.close();
            p.awaitErr(l -> l.contains("\"event\":\"connection\""), WAIT);
            long pid = p.process.pid();
            // The warm-up's thread logs its connection's end just before it ends: counted alive, it would leave room for two.
            awaitNoConnectionThreads(pid);
            int threads = threadsOf(pid);
            // As nobody too: without CAP_SYS_RESOURCE only the process's own user may set its limits.
            assertThat(Tools.sh("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "prlimit", "--pid", Long.toString(pid), "--nproc=" + (threads + 1))).isZero();

            Client first = Client.abstractSocket(name);
            assertThat(first.echo("one")).isEqualTo("one");
            Client second = Client.abstractSocket(name);
            assertThat(second.endOfStream()).as("no thread for a second connection: closed").isTrue();
            assertThat(p.awaitErr(l -> l.contains("cannot serve the connection from"), WAIT)).contains("backing off");

            first.close();
            Client third = Client.abstractSocket(name);
            assertThat(third.echo("three")).as("the acceptor goes on once a thread is free").isEqualTo("three");
            third.close();
        }
    }

    /** Until the platform threads the threads engine gave connections (unnamed, so the JDK's Thread-N) have all ended. */
    private static void awaitNoConnectionThreads(long pid) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<String> names = new ArrayList<>();
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        names.add(Files.readString(t.resolve("comm")).strip());
                    } catch (IOException gone) {
                        // ended while we looked
                    }
                }
            }
            if (names.stream().noneMatch(n -> n.startsWith("Thread-"))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("connection threads still running after " + WAIT + ": " + names);
            }
            Thread.sleep(10); // polling /proc: nothing to wait on
        }
    }

    private static int threadsOf(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return (int) tasks.count();
        }
    }

    /** socat on an abstract Unix socket (which the JDK cannot reach), its stdin held open. */
    private record Client(Process p, OutputStream in, java.io.BufferedReader out) {
        static Client abstractSocket(String name) throws IOException {
            Process p = new ProcessBuilder("socat", "-", "ABSTRACT-CONNECT:" + name).start();
            return new Client(p, p.getOutputStream(), new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), US_ASCII)));
        }

        String echo(String line) throws IOException {
            in.write((line + "\n").getBytes(US_ASCII));
            in.flush();
            return out.readLine();
        }

        boolean endOfStream() throws Exception {
            boolean ended = p.waitFor(20, TimeUnit.SECONDS) && out.readLine() == null;
            p.destroyForcibly();
            return ended;
        }

        void close() throws Exception {
            in.close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
