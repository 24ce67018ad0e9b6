package dev.sockit.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.sockit.cli.Tools.check;
import static dev.sockit.cli.Tools.sh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `serve --max-per-source` counts an IPv6 client by its /64, with clients that really come from
 * different addresses: a network namespace made here, with three addresses on its loopback, two in
 * one /64 and one in another (the only hosts this test talks to). Needs root (CI runs as root);
 * skips with the reason elsewhere.
 */
@Tag("netns")
@Timeout(120)
class PerSourceNetnsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SAME_A = "2001:db8:1::1";
    private static final String SAME_B = "2001:db8:1::2";
    private static final String OTHER = "2001:db8:2::1";
    private final String ns = "sockit-p-" + ThreadLocalRandom.current().nextInt(1_000_000);
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void makeAHostWithThreeAddresses() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        Assumptions.assumeTrue(Tools.has("socat") && Tools.has("ip"), Tools.missing("socat", "iproute2"));
        Assumptions.assumeTrue(sh("ip", "netns", "add", ns) == 0, "this sandbox does not allow network namespaces (ip netns add failed)");
        check("ip", "-n", ns, "link", "set", "lo", "up");
        for (String a : List.of(SAME_A, SAME_B, OTHER)) {
            check("ip", "-n", ns, "-6", "addr", "add", a + "/64", "dev", "lo", "nodad");
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        sh("ip", "netns", "del", ns);
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "threads"})
    void aSecondAddressOfTheSameSlash64IsRefusedAndAnotherSlash64IsServed(String engine) throws Exception {
        SockitProcess server = SockitProcess.start(List.of("ip", "netns", "exec", ns),
                "serve", "--json", "echo@[::]:7007", "--max-per-source", "1", "--engine", engine);
        processes.add(server.process);
        server.awaitErr(l -> l.contains("\"listening\""), WAIT);

        Client first = connect(SAME_A);
        assertThat(first.echo("one")).isEqualTo("one");

        // Another address of the same /64: closed as soon as accepted, and said in a warning.
        Client second = connect(SAME_B);
        assertThat(second.endOfStream()).as("a second connection from 2001:db8:1::/64").isTrue();
        assertThat(server.awaitErr(l -> l.contains("per-source limit"), WAIT)).contains("the last from 2001:db8:1::/64");

        // Another /64 is another source.
        Client third = connect(OTHER);
        assertThat(third.echo("three")).isEqualTo("three");

        // Once the first has gone, its /64 may connect again.
        first.close();
        server.awaitErr(l -> l.contains("\"event\":\"connection\"") && l.contains("\"peer\":\"[" + SAME_A + "]:"), WAIT);
        Client again = connect(SAME_B);
        assertThat(again.echo("again")).isEqualTo("again");
    }

    /** socat in the namespace, from {@code source} to the server, its stdin held open. */
    private Client connect(String source) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "socat", "-",
                "TCP6:[" + OTHER + "]:7007,bind=[" + source + "]").start();
        processes.add(p);
        return new Client(p);
    }

    private static final class Client {
        private final Process p;
        private final OutputStream in;
        private final BufferedReader out;

        Client(Process p) {
            this.p = p;
            this.in = p.getOutputStream();
            this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        }

        String echo(String line) throws IOException {
            in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            return out.readLine();
        }

        /** The server closed without a byte: socat sees end of stream and exits (a served client would stay). */
        boolean endOfStream() throws Exception {
            return p.waitFor(20, TimeUnit.SECONDS) && out.readLine() == null;
        }

        void close() throws Exception {
            in.close(); // socat sends FIN, the server's echo ends, socat exits
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
