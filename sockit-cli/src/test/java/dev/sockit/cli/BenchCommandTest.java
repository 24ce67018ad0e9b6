package dev.sockit.cli;

import dev.sockit.cli.bench.Mode;
import dev.sockit.cli.bench.Plan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** sockit bench's options: what they become, and one clear line (exit 2) for each wrong one. */
class BenchCommandTest {

    private static Plan plan(String... args) {
        BenchCommand cmd = new BenchCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.plan();
    }

    @Test
    void defaultsArePingpongOf64BytesOverOneConnectionForTenSeconds() {
        Plan p = plan("127.0.0.1:7");
        assertThat(p.mode()).isEqualTo(Mode.PINGPONG);
        assertThat(p.service()).isEqualTo("echo");
        assertThat(p.connections()).isEqualTo(1);
        assertThat(p.size()).isEqualTo(64);
        assertThat(p.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.verify()).isTrue();
        assertThat(p.sources()).isEmpty();
        assertThat(p.target()).isEqualTo(new InetSocketAddress("127.0.0.1", 7));
    }

    @Test
    void streamWritesSixteenKibByDefaultAndConnrateAsksDaytime() {
        assertThat(plan("127.0.0.1:7", "--mode", "stream").size()).isEqualTo(16 * 1024);
        assertThat(plan("127.0.0.1:13", "-m", "connrate").service()).isEqualTo("daytime");
        assertThat(plan("127.0.0.1:7", "-m", "stream", "-s", "64K").size()).isEqualTo(64 * 1024);
    }

    @Test
    void manyIdleConnectionsAreSpreadOverLoopbackSourceAddresses() {
        Plan p = plan("127.0.0.1:7", "-m", "idle", "-c", "60000");
        assertThat(p.sources()).hasSize(3);
        assertThat(p.sources().get(2)).isEqualTo(new InetSocketAddress("127.0.0.3", 0));
    }

    /** Against a sockit UDP echo with its amplification guard on, the loss is the guard's, and the report says so. */
    @Test
    void heavyUdpLossAgainstAGuardedServerPointsAtItsReplyLimit() throws Exception {
        try (dev.sockit.server.Server server = dev.sockit.server.Server.builder().events(new dev.sockit.server.ServerEvents() {
                }).serve(dev.sockit.service.Service.named("echo").orElseThrow(), dev.sockit.net.Transport.UDP,
                        dev.sockit.net.Endpoint.parse("127.0.0.1:0")).start()) {
            Plan p = plan(server.endpoint().toString(), "--udp", "-c", "8", "-d", "1s", "--warmup", "0s", "--timeout", "20ms");
            dev.sockit.cli.bench.Result r = new dev.sockit.cli.bench.Bench(p, 0, dev.sockit.cli.bench.Bench.quiet()).run();
            // 20 replies a second (40 at once) is all one source gets; 8 connections ask ~50 times a second each
            assertThat(r.ops()).isPositive().isLessThanOrEqualTo(40 + 20 * 2);
            assertThat(r.lost()).isGreaterThan(r.ops());
            assertThat(BenchReport.text(r)).contains(BenchReport.LIMITED);
        }
    }

    @Test
    void aWildcardHostMeansThisMachine() {
        assertThat(((InetSocketAddress) plan(":7007").target()).getAddress().isLoopbackAddress()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "127.0.0.1:7 --mode bogus                     | unknown mode 'bogus'",
            "127.0.0.1:7 --service daytime                | pingpong needs an echo server",
            "127.0.0.1:7 -m stream --service time         | stream works with echo, discard or chargen",
            "127.0.0.1:7 -m connrate --service echo       | connrate works with daytime, time or qotd",
            "127.0.0.1:7 -m stream --udp                  | --udp works with --mode pingpong only",
            "127.0.0.1:7 --udp -s 4                       | --size for UDP must be from 8 bytes",
            "127.0.0.1:7 -c 0                             | --connections must be from 1",
            "127.0.0.1:7 -s 0                             | --size must be from 1 byte",
            "127.0.0.1:7 -s 12Q                           | '12Q' is not a size",
            "127.0.0.1:7 -d 0s                            | --duration must be more than 0",
            "127.0.0.1:7 -d soon                          | 'soon' is not a duration",
            "127.0.0.1:7 -m stream --rate 10              | --rate paces pingpong and connrate only",
            "127.0.0.1:7 --threads green                  | --threads must be auto, platform, virtual or selector",
            "127.0.0.1:7 -m stream --threads selector     | --threads selector drives unpaced TCP pingpong only",
            "[::1]:7 --sources 2                          | the target must be an IPv4 loopback address",
            "[::1]:7 -m idle -c 30000                     | 30000 connections need more than one source address",
            "127.0.0.1:0                                  | port 0 is not a server's port",
            "localhost                                    | no port",
            "unix:/tmp/x.sock --udp                       | --udp needs an IP endpoint",
            "127.0.0.1:7 --server-pid 999999999           | no such process",
    })
    void badOptionsAreOneLineAndExitTwo(String args, String message) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        String[] argv = ("bench " + args.strip()).split("\\s+");
        int code = cl.execute(argv);
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("sockit: ").contains(message).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(err.toString().lines()).hasSize(2); // the message, and where to find help
    }
}
