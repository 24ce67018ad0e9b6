package dev.sockit.cli;

import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.linux.UnixStreamSocket;
import dev.sockit.net.UnixSocketAddress;
import dev.sockit.service.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sockit serve} as a real process (the packaged jar) over UDP, Unix stream and Unix datagram sockets. */
@Timeout(60)
class ServeUdpUnixIT {
    private static final Pattern ENDPOINT = Pattern.compile("\"endpoint\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void servesUdpAndUnixSocketsAndReportsThemUntilStopped() throws Exception {
        String name = "sockit-it-" + UUID.randomUUID();
        Path stream = dir.resolve("echo.sock");
        Path dgram = dir.resolve("echo.dgram");
        try (Sockit sockit = Sockit.start("serve", "--json", "--report-every", "100ms", "--socket-mode", "0660",
                "echo/udp@127.0.0.1:0", "time/udp@[::1]:0", "echo@unix:" + stream, "echo/udp@unix:" + dgram, "daytime@unix:@" + name)) {
            List<String> listening = sockit.await(l -> l.contains("\"event\":\"listening\""), 5);
            InetSocketAddress echo = inet(endpoint(listening.get(0)));
            InetSocketAddress time = inet(endpoint(listening.get(1)));
            assertThat(listening.get(2)).contains("\"transport\":\"unix\"", "\"endpoint\":\"unix:" + stream + "\"");
            assertThat(listening.get(3)).contains("\"transport\":\"unixgram\"", "\"endpoint\":\"unix:" + dgram + "\"");
            assertThat(listening.get(4)).contains("\"transport\":\"unix\"", "\"endpoint\":\"unix:@" + name + "\"");
            assertThat(Files.getPosixFilePermissions(stream)).hasToString("[OWNER_READ, OWNER_WRITE, GROUP_READ, GROUP_WRITE]");

            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0))) {
                assertThat(exchange(udp, "hello over udp", echo)).isEqualTo("hello over udp");
            }
            try (DatagramSocket udp6 = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("::1"), 0))) {
                byte[] four = exchange(udp6, "", time).getBytes(StandardCharsets.ISO_8859_1);
                assertThat(four).hasSize(4);
                assertThat(Duration.between(Time.toInstant(four, Instant.now()), Instant.now()).abs()).isLessThan(Duration.ofMinutes(5));
            }
            try (SocketChannel unix = SocketChannel.open(UnixDomainSocketAddress.of(stream))) {
                unix.write(ByteBuffer.wrap("hello over a unix stream\n".getBytes(StandardCharsets.UTF_8)));
                unix.shutdownOutput();
                ByteBuffer back = ByteBuffer.allocate(100);
                while (unix.read(back) >= 0) {
                    // to the end
                }
                assertThat(new String(back.array(), 0, back.position(), StandardCharsets.UTF_8)).isEqualTo("hello over a unix stream\n");
            }
            try (UnixDatagramSocket client = UnixDatagramSocket.bind(UnixSocketAddress.path(dir.resolve("client.dgram")))) {
                client.setReceiveTimeout(Duration.ofSeconds(5));
                client.send(ByteBuffer.wrap("hello in a unix datagram".getBytes(StandardCharsets.UTF_8)), UnixSocketAddress.path(dgram));
                ByteBuffer reply = ByteBuffer.allocate(100);
                client.receive(reply);
                assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8)).isEqualTo("hello in a unix datagram");
            }
            try (UnixStreamSocket daytime = UnixStreamSocket.connect(UnixSocketAddress.abstractName(name))) {
                daytime.setReadTimeout(Duration.ofSeconds(5));
                ByteBuffer line = ByteBuffer.allocate(100);
                while (daytime.read(line) >= 0) {
                    // to the end
                }
                assertThat(new String(line.array(), 0, line.position(), StandardCharsets.US_ASCII))
                        .matches("\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n");
            }
            String me = "unix:(pid " + ProcessHandle.current().pid() + " uid " + Files.getAttribute(Path.of("/proc/self"), "unix:uid") + ")";
            sockit.await(l -> l.contains("\"event\":\"connection\"") && l.contains("\"service\":\"echo\"") && l.contains("\"peer\":\"" + me + "\""), 1);
            sockit.await(l -> l.contains("\"event\":\"datagrams\"") && l.contains("\"transport\":\"udp\"") && l.contains("\"answered\":1"), 1);

            assertThat(sockit.stop()).isZero();
            assertThat(sockit.lines()).anySatisfy(l -> assertThat(l).contains("\"event\":\"datagrams\"", "\"totals\":true",
                    "\"transport\":\"unixgram\"", "\"received\":1", "\"answered\":1"));
            assertThat(sockit.lines().getLast()).contains("\"event\":\"stopped\"");
        }
        assertThat(stream).doesNotExist();
        assertThat(dgram).doesNotExist();
    }

    @Test
    void aUdpFloodIsAnsweredWithinTheLimitAndWarnedAboutOnce() throws Exception {
        try (Sockit sockit = Sockit.start("serve", "--report-every", "1h", "--reply-rate", "1", "--reply-burst", "2", "chargen/udp@127.0.0.1:0")) {
            InetSocketAddress chargen = inet(sockit.await(l -> l.contains("listening on udp"), 1).getFirst().replaceAll(".* udp ", ""));
            try (DatagramSocket flooder = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
                 DatagramSocket sentinel = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 0))) {
                for (int i = 0; i < 50; i++) {
                    flooder.send(new DatagramPacket(new byte[1], 1, chargen));
                }
                // Served in order: once another source is answered, the flood has been handled.
                exchange(sentinel, "", chargen);
            }
            assertThat(sockit.stop()).isZero();
            assertThat(sockit.lines()).as("sockit printed %s", sockit.lines()).filteredOn(l -> l.contains("warning:")).singleElement().asString()
                    .contains("chargen udp 127.0.0.1:", "did not answer 48 of 51 datagrams", "48 over the per-source reply rate");
            assertThat(sockit.lines()).anySatisfy(l -> assertThat(l).contains("totals: datagrams=51 answered=3 dropped=48 (source-rate=48)"));
        }
    }

    @Test
    void badInputGetsOneLineAndTheRightExitCode() throws Exception {
        Path missing = dir.resolve("missing");
        assertThat(Sockit.run("serve", "echo@unix:" + missing.resolve("echo.sock")))
                .isEqualTo(new Result(1, List.of("sockit: cannot listen on unix unix:" + missing.resolve("echo.sock") + " — directory " + missing
                        + " does not exist (create it first)")));
        Path taken = dir.resolve("taken.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(taken));
            Result inUse = Sockit.run("serve", "echo/udp@unix:" + taken);
            assertThat(inUse.code()).isEqualTo(1);
            assertThat(inUse.stderr()).singleElement().asString().startsWith("sockit: cannot listen on unixgram unix:" + taken + " — address already in use");
        }
        Result mode = Sockit.run("serve", "--socket-mode", "999", "echo@unix:" + dir.resolve("x.sock"));
        assertThat(mode.code()).isEqualTo(2);
        assertThat(mode.stderr().getFirst()).startsWith("sockit: ").contains("'999' is not a file mode");
        Result unixgram = Sockit.run("serve", "echo/unixgram@:7");
        assertThat(unixgram.code()).isEqualTo(2);
        assertThat(unixgram.stderr().getFirst()).isEqualTo("sockit: '/unixgram' in 'echo/unixgram@:7' needs a unix: endpoint; use /tcp or /udp for :7");
        Result burst = Sockit.run("serve", "--reply-burst", "0", "echo/udp@127.0.0.1:0");
        assertThat(burst.code()).isEqualTo(2);
        assertThat(burst.stderr().getFirst()).isEqualTo("sockit: --reply-burst must be at least 1, not 0");
        for (Result r : List.of(mode, unixgram, burst)) {
            assertThat(r.stderr()).noneMatch(l -> l.contains("Exception") || l.startsWith("\tat "));
        }
    }

    @Test
    void helpTeachesUdpAndUnix() throws Exception {
        Result help = Sockit.runStdout("serve", "--help");
        assertThat(help.code()).isZero();
        assertThat(String.join("\n", help.stderr()))
                .contains("SERVICE[/tcp|/udp][@ENDPOINT]", "served on both", "rdate -pu -o 10037", "UNIX-SENDTO", "--reply-rate", "--socket-mode");
    }

    private static String endpoint(String jsonLine) {
        Matcher m = ENDPOINT.matcher(jsonLine);
        assertThat(m.find()).as("an endpoint in %s", jsonLine).isTrue();
        return m.group(1);
    }

    private static InetSocketAddress inet(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(InetAddress.ofLiteral(host), Integer.parseInt(endpoint.substring(colon + 1)));
    }

    private static String exchange(DatagramSocket socket, String request, InetSocketAddress to) throws IOException {
        byte[] b = request.getBytes(StandardCharsets.ISO_8859_1);
        socket.setSoTimeout(5_000);
        socket.send(new DatagramPacket(b, b.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[70_000], 70_000);
        socket.receive(reply);
        return new String(Arrays.copyOf(reply.getData(), reply.getLength()), StandardCharsets.ISO_8859_1);
    }

    record Result(int code, List<String> stderr) {
    }

    /** The packaged sockit as a process, its stderr read line by line as it comes. */
    static final class Sockit implements AutoCloseable {
        private final Process process;
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        private Sockit(Process process) {
            this.process = process;
            this.reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            });
        }

        private static ProcessBuilder command(String... args) {
            String jar = System.getProperty("sockit.jar");
            assertThat(jar).as("the sockit.jar system property (set by failsafe)").isNotNull();
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar));
            cmd.addAll(List.of(args));
            return new ProcessBuilder(cmd);
        }

        static Sockit start(String... args) throws IOException {
            return new Sockit(command(args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }

        static Result run(String... args) throws Exception {
            try (Sockit s = start(args)) {
                assertThat(s.process.waitFor(30, TimeUnit.SECONDS)).as("sockit exits").isTrue();
                s.reader.join(5_000);
                return new Result(s.process.exitValue(), s.lines());
            }
        }

        /** Runs and returns stdout's lines (help goes there). */
        static Result runStdout(String... args) throws Exception {
            Process p = command(args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), out);
        }

        /** Waits until {@code n} lines match, and returns them. */
        List<String> await(Predicate<String> matching, int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            synchronized (lines) {
                while (true) {
                    List<String> found = lines.stream().filter(matching).toList();
                    if (found.size() >= n) {
                        return found;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive() && !reader.isAlive()) {
                        throw new AssertionError("expected " + n + " matching line(s) from sockit; it printed " + lines);
                    }
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }

        /** SIGTERM, then the exit code; every line it printed is then in {@link #lines()}. */
        int stop() throws InterruptedException {
            // Through the handle: Process.destroy() would also close our end of its stderr, losing what it prints while stopping.
            process.toHandle().destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("sockit stops on SIGTERM").isTrue();
            reader.join(5_000);
            return process.exitValue();
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
