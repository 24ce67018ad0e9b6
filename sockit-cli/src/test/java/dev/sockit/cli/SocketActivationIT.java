package dev.sockit.cli;

import dev.sockit.linux.UnixDatagramSocket;
import dev.sockit.net.UnixSocketAddress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * `sockit serve` started by socket activation, through systemd's own tool (systemd-socket-activate),
 * which binds the sockets and passes them as systemd does: descriptors from 3, LISTEN_FDS, LISTEN_PID,
 * LISTEN_FDNAMES.
 */
@Timeout(120)
class SocketActivationIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @BeforeEach
    void needsTheTools() {
        Assumptions.assumeTrue(Tools.has("systemd-socket-activate") && Tools.has("socat"), Tools.missing("systemd-socket-activate", "socat"));
    }

    /** A port free a moment ago: systemd-socket-activate binds what it is told, and cannot be told port 0. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** systemd-socket-activate ACTIVATE... running sockit serve ARGS, the way systemd runs a service. */
    private static SockitProcess activated(List<String> activate, String after, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("systemd-socket-activate"));
        cmd.addAll(activate);
        // The tool passes the sockets to its child: this shell, which keeps them after sockit exits, as systemd does.
        // LISTEN_PID must be sockit's own pid: the subshell's, which exec makes sockit.
        cmd.addAll(List.of("bash", "-c", "( export LISTEN_PID=$BASHPID; exec \"$@\" ); echo \"sockit exited $?\" >&2; " + after, "activated",
                SockitProcess.java(), "--enable-native-access=ALL-UNNAMED", "-jar", SockitProcess.jar().toString()));
        cmd.addAll(List.of(args));
        return SockitProcess.command(cmd);
    }

    /**
     * The sockets passed are served (by name, and by standard port), the client whose connection
     * started it all included; and when sockit stops, they still listen, for systemd to start it again.
     */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "threads"})
    void passedSocketsAreServedAndStillListenAfterSockitStops(String engine) throws Exception {
        int port = freePort();
        Path sock = dir.resolve("echo.sock");
        String checks = "socat -u /dev/null TCP:127.0.0.1:" + port + " && echo 'tcp still listening' >&2; "
                + "socat -u /dev/null UNIX-CONNECT:" + sock + " && echo 'unix still listening' >&2; sleep 60";
        try (SockitProcess p = activated(List.of("-l", "127.0.0.1:" + port, "-l", sock.toString(), "--fdname=daytime:echo"), checks,
                "serve", "--json", "--engine", engine)) {
            p.awaitErr(l -> l.startsWith("Listening on " + sock), WAIT);
            // The first client starts sockit (the tool execs it at the first connection), and waits in the backlog meanwhile.
            String daytime;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(20_000);
                daytime = new String(s.getInputStream().readAllBytes(), US_ASCII);
            }
            assertThat(daytime).matches("\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4}\r\n");
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"listening\"") && l.contains("\"service\":\"daytime\""), WAIT))
                    .contains("\"transport\":\"tcp\",\"endpoint\":\"127.0.0.1:" + port + "\"");
            try (SocketChannel unix = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                unix.write(ByteBuffer.wrap("hello\n".getBytes(US_ASCII)));
                unix.shutdownOutput();
                ByteBuffer back = ByteBuffer.allocate(64);
                while (unix.read(back) >= 0) {
                    // until the echo's end
                }
                assertThat(new String(back.array(), 0, back.position(), US_ASCII)).isEqualTo("hello\n");
            }
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"connection\"") && l.contains("\"service\":\"echo\""), WAIT)).contains("unix:(pid ");

            p.sockit().destroy(); // SIGTERM, as systemctl stop sends
            assertThat(p.awaitErr(l -> l.startsWith("sockit exited"), WAIT)).isEqualTo("sockit exited 0");
            p.awaitErr(l -> l.equals("tcp still listening"), WAIT);
            p.awaitErr(l -> l.equals("unix still listening"), WAIT);
        }
    }

    /** A socket on no service's standard port and not named for one: sockit says how to name it, and stops. */
    @Test
    void aSocketNoServiceClaimsIsAClearError() throws Exception {
        int port = freePort();
        try (SockitProcess p = activated(List.of("-l", "127.0.0.1:" + port), "", "serve")) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000); // what starts it
            }
            assertThat(p.awaitErr(l -> l.startsWith("sockit:"), WAIT)).isEqualTo("sockit: socket activation passed descriptor 3, tcp 127.0.0.1:"
                    + port + ", and nothing says which service it is for: name it in its .socket unit with FileDescriptorName=SERVICE "
                    + "(echo, discard, daytime, qotd, chargen, time, sink), or listen on a service's standard port");
            assertThat(p.awaitErr(l -> l.startsWith("sockit exited"), WAIT)).isEqualTo("sockit exited 2");
        }
    }

    /** At a port offset, an unnamed socket on a standard port plus the offset is that service's. */
    @Test
    void anUnnamedSocketOnAStandardPortPlusTheOffsetIsThatServices() throws Exception {
        int port = freePort();
        try (SockitProcess p = activated(List.of("-l", "127.0.0.1:" + port), "", "serve", "--json", "--port-offset", Integer.toString(port - 13))) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            String line;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(20_000);
                line = new String(s.getInputStream().readAllBytes(), US_ASCII);
            }
            assertThat(line).as("daytime, on 13 + the offset").endsWith("\r\n").hasSize(26);
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT)).contains("\"service\":\"daytime\"");
        }
    }

    /**
     * A unit with Accept=yes (inetd's nowait): systemd accepts, and starts a sockit for each
     * connection with that connection as its socket. Each serves its one connection, says it in one
     * line, and exits 0.
     */
    @Test
    void acceptYesStartsOneSockitPerConnectionWhichEndsWithIt() throws Exception {
        int port = freePort();
        try (SockitProcess p = SockitProcess.command(List.of("systemd-socket-activate", "-a", "-l", "127.0.0.1:" + port, "--fdname=echo",
                SockitProcess.java(), "--enable-native-access=ALL-UNNAMED", "-jar", SockitProcess.jar().toString(), "serve", "--json"))) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            for (String text : List.of("one", "two")) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(20_000);
                    s.getOutputStream().write((text + "\n").getBytes(US_ASCII));
                    s.shutdownOutput();
                    assertThat(new String(s.getInputStream().readAllBytes(), US_ASCII)).isEqualTo(text + "\n");
                }
                assertThat(p.awaitErr(l -> l.contains("\"event\":\"connection\""), WAIT))
                        .contains("\"service\":\"echo\"", "\"bytes_in\":" + (text.length() + 1), "\"outcome\":\"closed\"");
                p.awaitErr(l -> l.startsWith("Child ") && l.endsWith("died with code 0"), WAIT);
            }
            assertThat(p.allErr).as("no listening line: there is no listener, only a connection").noneMatch(l -> l.contains("\"listening\""));
        }
    }

    /**
     * A UDP socket as systemd binds it (ListenDatagram=PORT: the dual-stack wildcard): every datagram
     * is answered from the address it was sent to (a reply from another would be dropped by the
     * client's connected socket: 127.0.0.2 is the case where routing alone picks 127.0.0.1), and
     * after sockit stops the socket still serves the next sockit.
     */
    @Test
    void aPassedUdpSocketAnswersFromTheAddressAskedAndOutlivesSockit() throws Exception {
        int port = freePort();
        String again = "( export LISTEN_PID=$BASHPID; exec \"$@\" ); echo \"sockit exited again $?\" >&2";
        try (SockitProcess p = activated(List.of("-d", "-l", Integer.toString(port), "--fdname=echo"), again, "serve", "--json")) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            assertThat(udpEcho("127.0.0.1", port, "one")).as("the datagram that starts it").isEqualTo("one");
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT)).contains("\"transport\":\"udp\",\"endpoint\":\"[::]:" + port + "\"");
            assertThat(udpEcho("127.0.0.2", port, "two")).isEqualTo("two");
            assertThat(udpEcho("::1", port, "three")).isEqualTo("three");

            p.sockit().destroy();
            assertThat(p.awaitErr(l -> l.startsWith("sockit exited"), WAIT)).isEqualTo("sockit exited 0");
            assertThat(udpEcho("127.0.0.1", port, "four")).as("answered by the next sockit, on the same socket").isEqualTo("four");
            p.sockit().destroy();
            assertThat(p.awaitErr(l -> l.startsWith("sockit exited again"), WAIT)).isEqualTo("sockit exited again 0");
        }
    }

    /** An IPv4 socket (ListenDatagram=0.0.0.0:PORT): the same, through IP_PKTINFO alone. */
    @Test
    void aPassedIpv4UdpSocketAnswersFromTheAddressAsked() throws Exception {
        int port = freePort();
        try (SockitProcess p = activated(List.of("-d", "-l", "0.0.0.0:" + port, "--fdname=echo"), "", "serve", "--json")) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            assertThat(udpEcho("127.0.0.2", port, "one")).isEqualTo("one");
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT)).contains("\"endpoint\":\"0.0.0.0:" + port + "\"");
            assertThat(udpEcho("127.0.0.1", port, "two")).isEqualTo("two");
        }
    }

    /** A Unix datagram socket: answered to a named sender, and served again by the next sockit. */
    @Test
    void aPassedUnixDatagramSocketIsServedAndOutlivesSockit() throws Exception {
        Path path = dir.resolve("echo.dgram");
        String again = "( export LISTEN_PID=$BASHPID; exec \"$@\" ); echo \"sockit exited again $?\" >&2";
        try (SockitProcess p = activated(List.of("-d", "-l", path.toString(), "--fdname=echo"), again, "serve", "--json")) {
            p.awaitErr(l -> l.startsWith("Listening on "), WAIT);
            assertThat(unixEcho(path, "one")).as("the datagram that starts it").isEqualTo("one");
            assertThat(p.awaitErr(l -> l.contains("\"event\":\"listening\""), WAIT)).contains("\"endpoint\":\"unix:" + path + "\"");
            p.sockit().destroy();
            assertThat(p.awaitErr(l -> l.startsWith("sockit exited"), WAIT)).isEqualTo("sockit exited 0");
            assertThat(unixEcho(path, "two")).as("answered by the next sockit, on the same socket").isEqualTo("two");
            p.sockit().destroy();
            assertThat(p.awaitErr(l -> l.startsWith("sockit exited again"), WAIT)).isEqualTo("sockit exited again 0");
        }
    }

    /** What comes back from the Unix datagram socket at {@code path} for {@code text}, to a client bound to a name of its own. */
    private String unixEcho(Path path, String text) throws Exception {
        try (UnixDatagramSocket me = UnixDatagramSocket.bind(UnixSocketAddress.path(dir.resolve("me-" + text + ".dgram").toString()))) {
            me.setReceiveTimeout(Duration.ofSeconds(20));
            assertThat(me.send(ByteBuffer.wrap(text.getBytes(US_ASCII)), UnixSocketAddress.path(path.toString()))).isTrue();
            ByteBuffer reply = ByteBuffer.allocate(512);
            me.receive(reply);
            return new String(reply.array(), 0, reply.position(), US_ASCII);
        }
    }

    /** One datagram to HOST:PORT from a socket connected there, so that only a reply from that address is taken. */
    private static String udpEcho(String host, int port, String text) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host.contains(":") ? "::1" : "127.0.0.1", 0))) {
            s.connect(new InetSocketAddress(host, port));
            s.setSoTimeout(20_000);
            s.send(new DatagramPacket(text.getBytes(US_ASCII), text.length()));
            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            s.receive(reply);
            return new String(reply.getData(), 0, reply.getLength(), US_ASCII);
        }
    }
}
