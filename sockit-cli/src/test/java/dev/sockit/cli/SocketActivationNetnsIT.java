package dev.sockit.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static dev.sockit.cli.Tools.check;
import static dev.sockit.cli.Tools.sh;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A UDP socket passed by socket activation is bound to every address, so it receives broadcasts
 * too; sockit must not answer them (one forged broadcast would draw an answer from every server on
 * the LAN). In a network namespace made here, with a veth pair as its LAN (a broadcast sent there
 * loops back to the sender's own host too), the only place this test sends anything. Needs root.
 */
@Tag("netns")
@Timeout(120)
class SocketActivationNetnsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final String ns = "sockit-a-" + ThreadLocalRandom.current().nextInt(1_000_000);

    @BeforeEach
    void makeAHostOnALan() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
        Assumptions.assumeTrue(Tools.has("socat") && Tools.has("ip") && Tools.has("systemd-socket-activate"),
                Tools.missing("socat", "iproute2", "systemd-socket-activate"));
        Assumptions.assumeTrue(sh("ip", "netns", "add", ns) == 0, "this sandbox does not allow network namespaces (ip netns add failed)");
        check("ip", "-n", ns, "link", "set", "lo", "up");
        check("ip", "-n", ns, "link", "add", "lan0", "type", "veth", "peer", "name", "lan1"); // lan1: the rest of a LAN that is not there
        check("ip", "-n", ns, "addr", "add", "10.77.0.1/24", "brd", "+", "dev", "lan0");
        check("ip", "-n", ns, "link", "set", "lan0", "up");
        check("ip", "-n", ns, "link", "set", "lan1", "up");
    }

    @AfterEach
    void cleanUp() throws Exception {
        sh("ip", "netns", "del", ns);
    }

    private int send(String to, String text, String... options) throws Exception {
        String address = "UDP-DATAGRAM:" + to + ":7007" + String.join("", options);
        return sh("ip", "netns", "exec", ns, "bash", "-c", "echo " + text + " | socat -u - " + address);
    }

    /**
     * 0 when a datagram of {@code text} to our address comes back (socat's connected socket takes a
     * reply from that address only). socat waits 3 s after it has sent for what comes back: sockit is
     * up by then, and answers in well under a millisecond.
     */
    private int echoes(String text) throws Exception {
        return sh("ip", "netns", "exec", ns, "bash", "-c", "echo " + text + " | socat -t3 - UDP:10.77.0.1:7007 | grep -qx " + text);
    }

    @Test
    void aBroadcastIsNotAnsweredAndADatagramToOurAddressIs() throws Exception {
        try (SockitProcess p = SockitProcess.command(List.of("ip", "netns", "exec", ns,
                "systemd-socket-activate", "-d", "-l", "0.0.0.0:7007", "--fdname=echo",
                "bash", "-c", "( export LISTEN_PID=$BASHPID; exec \"$@\" ); echo \"sockit exited $?\" >&2", "activated",
                SockitProcess.java(), "--enable-native-access=ALL-UNNAMED", "-jar", SockitProcess.jar().toString(),
                "serve", "--json", "--report-every", "1h"))) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            // The first datagram starts sockit; its listening line says it reads the socket from now on.
            assertThat(send("10.77.0.1", "start")).isZero();
            p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT);
            assertThat(echoes("ready")).as("a datagram to our address is answered").isZero();

            assertThat(send("10.77.0.255", "directed", ",broadcast")).isZero();
            assertThat(send("255.255.255.255", "limited", ",broadcast,so-bindtodevice=lan0")).isZero();
            // A datagram after them, answered: the loop has taken every datagram before it (one reader, in order).
            assertThat(echoes("after")).isZero();

            p.sockit().destroy(); // SIGTERM to sockit itself
            String totals = p.awaitErr(l -> l.contains("\"totals\":true"), WAIT);
            assertThat(totals).as("start, ready and after; not the two broadcasts").contains("\"received\":3", "\"answered\":3");
        }
    }
}
