package dev.sockit.cli.bench;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.server.Server;
import dev.sockit.service.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each mode against a real sockit server on loopback: the figures add up, and every reply is verified.
 * Runs are short (a few hundred milliseconds); nothing here asserts how fast anything is.
 */
@Timeout(60)
class BenchTest {
    private static Server server;
    private static Map<String, SocketAddress> at;

    @BeforeAll
    static void serve() throws IOException {
        Endpoint any = Endpoint.parse("127.0.0.1:0");
        Server.Builder b = Server.builder().grace(Duration.ofSeconds(1));
        List<String> names = List.of("echo", "discard", "chargen", "daytime", "time", "qotd");
        for (String n : names) {
            b.serve(Service.named(n).orElseThrow(), Transport.TCP, any);
        }
        server = b.start();
        at = new java.util.HashMap<>();
        server.listeners().forEach(l -> at.put(l.service().name(), l.bound().toSocketAddress()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Plan plan(SocketAddress target, Mode mode, String service, int connections, int size) {
        return new Plan(target, target.toString(), false, mode, service, connections, size, Duration.ofMillis(300),
                Duration.ZERO, 0, List.of(), true, Duration.ofSeconds(2), Plan.Threads.AUTO);
    }

    static Result run(Plan p) throws InterruptedException {
        return new Bench(p, 0, Bench.quiet()).run();
    }

    @Test
    void pingpongEchoesEveryMessageByteForByte() throws Exception {
        Result r = run(plan(at.get("echo"), Mode.PINGPONG, "echo", 2, 64));
        assertThat(r.failed()).as("errors: %s, mismatch: %s", r.firstError(), r.firstMismatch()).isFalse();
        assertThat(r.ops()).isPositive();
        assertThat(r.sent()).isEqualTo(r.ops() * 64).isEqualTo(r.received());
        assertThat(r.latency().getTotalCount()).isEqualTo(r.ops());
        assertThat(r.mismatches()).isZero();
    }

    @Test
    void pingpongOnSelectorsForManyConnections() throws Exception {
        Plan p = plan(at.get("echo"), Mode.PINGPONG, "echo", 20, 100);
        assertThat(p.selector()).isTrue();
        Result r = run(p);
        assertThat(r.failed()).as("errors: %s, mismatch: %s", r.firstError(), r.firstMismatch()).isFalse();
        assertThat(r.sent()).isEqualTo(r.ops() * 100).isEqualTo(r.received());
    }

    @Test
    void pingpongWithLargeMessagesThatTakeSeveralReads() throws Exception {
        Result r = run(plan(at.get("echo"), Mode.PINGPONG, "echo", 1, 200_000));
        assertThat(r.failed()).as("errors: %s, mismatch: %s", r.firstError(), r.firstMismatch()).isFalse();
        assertThat(r.received()).isEqualTo(r.ops() * 200_000).isPositive();
    }

    @Test
    void pacedPingpongNeverRunsAheadOfItsSchedule() throws Exception {
        Plan base = plan(at.get("echo"), Mode.PINGPONG, "echo", 4, 64);
        Plan paced = new Plan(base.target(), base.shown(), false, Mode.PINGPONG, "echo", 4, 64, Duration.ofMillis(500),
                Duration.ZERO, 200, List.of(), true, Duration.ofSeconds(2), Plan.Threads.AUTO);
        Result r = run(paced);
        assertThat(r.failed()).isFalse();
        // 200/s over 0.5 s is 100 scheduled starts (+1 per connection for the one at time zero).
        assertThat(r.ops()).isPositive().isLessThanOrEqualTo(104);
    }

    @Test
    void streamThroughEchoChecksEveryByteBothWays() throws Exception {
        Result r = run(plan(at.get("echo"), Mode.STREAM, "echo", 2, 16 * 1024));
        assertThat(r.failed()).as("errors: %s, mismatch: %s", r.firstError(), r.firstMismatch()).isFalse();
        assertThat(r.sent()).isPositive();
        assertThat(r.received()).isPositive();
    }

    @Test
    void streamFromChargenFollowsRfc864sPattern() throws Exception {
        Result r = run(plan(at.get("chargen"), Mode.STREAM, "chargen", 1, 16 * 1024));
        assertThat(r.failed()).as("errors: %s, mismatch: %s", r.firstError(), r.firstMismatch()).isFalse();
        assertThat(r.received()).isPositive();
        assertThat(r.sent()).isZero();
    }

    @Test
    void streamToDiscardGoesOneWay() throws Exception {
        Result r = run(plan(at.get("discard"), Mode.STREAM, "discard", 1, 16 * 1024));
        assertThat(r.failed()).as("errors: %s", r.firstError()).isFalse();
        assertThat(r.sent()).isPositive();
        assertThat(r.received()).isZero();
    }

    @Test
    void connrateOnEachOneShotServiceChecksTheReplysShape() throws Exception {
        for (String s : List.of("daytime", "time", "qotd")) {
            Result r = run(plan(at.get(s), Mode.CONNRATE, s, 2, 0));
            assertThat(r.failed()).as("%s: errors: %s, mismatch: %s", s, r.firstError(), r.firstMismatch()).isFalse();
            assertThat(r.ops()).isPositive();
            assertThat(r.latency().getTotalCount()).isEqualTo(r.ops());
        }
    }

    @Test
    void connrateAgainstTheWrongServiceIsAMismatch() throws Exception {
        Result r = run(plan(at.get("daytime"), Mode.CONNRATE, "time", 1, 0));
        assertThat(r.failed()).isTrue();
        assertThat(r.mismatches()).isPositive();
        assertThat(r.firstMismatch()).contains("RFC 868 says 4");
    }

    @Test
    void idleHoldsEveryConnectionAndReadsTheServersMemory() throws Exception {
        Plan p = plan(at.get("echo"), Mode.IDLE, "echo", 50, 0);
        Result r = new Bench(p, ProcessHandle.current().pid(), Bench.quiet()).run();
        assertThat(r.held()).as("first error: %s", r.firstError()).isEqualTo(50);
        assertThat(r.ops()).isEqualTo(50);
        assertThat(r.serverRssKib()).isPositive();
        assertThat(r.failed()).isFalse();
    }

    @Test
    void idleSpreadsConnectionsOverSourceAddresses() throws Exception {
        Plan base = plan(at.get("echo"), Mode.IDLE, "echo", 6, 0);
        List<SocketAddress> sources = List.of(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0),
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 0));
        Plan spread = new Plan(base.target(), base.shown(), false, Mode.IDLE, "echo", 6, 0, base.duration(), Duration.ZERO, 0,
                sources, true, base.timeout(), Plan.Threads.AUTO);
        assertThat(spread.source(1)).isEqualTo(sources.get(1));
        Result r = run(spread);
        assertThat(r.held()).isEqualTo(6);
    }

    @Test
    void unixDomainEndpointsWork(@TempDir Path dir) throws Exception {
        Endpoint unix = Endpoint.parse("unix:" + dir.resolve("echo.sock"));
        try (Server s = Server.builder().serve(Service.named("echo").orElseThrow(), Transport.TCP, unix).start()) {
            Result r = run(plan(s.endpoint().toSocketAddress(), Mode.PINGPONG, "echo", 2, 64));
            assertThat(r.failed()).as("errors: %s", r.firstError()).isFalse();
            assertThat(r.ops()).isPositive();
        }
    }
}
