package dev.sockit.cli;

import dev.sockit.net.Addresses;
import dev.sockit.net.Endpoint;
import dev.sockit.net.KeepAlive;
import dev.sockit.net.SocketOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

@Command(name = "keepalive",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
                "Hold one idle TCP connection with keepalive on, and report the moment the kernel declares the peer dead: the diagnostic for NATs, firewalls and load balancers that silently drop idle connections.",
                "",
                "Connects to ENDPOINT (or, with --listen, accepts one client), keeps the connection idle, shows how long it has been idle and the keepalive settings in force, and ends when the connection dies (the read fails after IDLE + INTERVAL x COUNT seconds of unanswered probes), when the peer closes, or at --duration. Without --keepalive, it uses 1,1,5: a dead peer is declared after about 6 s of silence.",
                ""},
        footer = {"",
                "Exit codes: 0 still alive at --duration; 1 declared dead, closed by the peer, or could not connect; 2 usage.",
                "",
                "Examples:",
                "  sockit keepalive example.org:22 --keepalive 10,5,3 --duration 10m",
                "  sockit keepalive --listen :7000 --keepalive 1,1,5",
                "  sudo tcpdump -ni any 'tcp port 7000 and tcp[tcpflags] & tcp-ack != 0'    # watch the probes"})
final class KeepaliveCommand implements Callable<Integer> {
    private static final KeepAlive DEFAULT = new KeepAlive(1, 1, 5);

    @Parameters(paramLabel = "ENDPOINT", arity = "0..1", description = "Where to connect: HOST:PORT or [IPv6]:PORT.")
    String endpoint;

    @Option(names = "--listen", paramLabel = "ENDPOINT", description = "Accept one connection on ENDPOINT instead of connecting.")
    String listen;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up watching after this long, with exit 0 if still alive; with --listen, also the longest wait for the client, with exit 1 if none comes (default: 1h).")
    Duration duration = Duration.ofHours(1);

    @Option(names = "--json", description = "Print events as JSON, one object per line.")
    boolean json;

    @Mixin
    NetOptions net = new NetOptions();

    @Override
    public Integer call() throws Exception {
        if ((endpoint == null) == (listen == null)) {
            throw new Main.UsageException("give either ENDPOINT to connect to, or --listen ENDPOINT");
        }
        var clientOptions = net.relayOptions(); // no read timeout: silence is what we watch
        SocketOptions options = clientOptions.socket();
        if (options.keepAlive() == null) {
            if (!net.socket.keepAlive.isEmpty()) {
                throw new Main.UsageException("--keepalive off makes no sense here: this command watches keepalive");
            }
            options = options.withKeepAlive(DEFAULT);
        }
        Endpoint target = parse(listen != null ? listen : endpoint);
        if (!(target instanceof Endpoint.Inet inet)) {
            throw new Main.UsageException("keepalive is a TCP feature; '" + target + "' is not a TCP endpoint");
        }
        PrintStream out = System.out;
        if (listen != null) {
            try (SocketChannel ch = acceptOne(inet, options, out)) {
                return watch(ch, options.keepAlive(), out);
            }
        }
        // Every address of the name, Happy Eyeballs, with keepalive set before the connect.
        try (var conn = net.dialer(clientOptions.withSocketOptions(options), System.err).connect(inet)) {
            return watch(conn.channel(), options.keepAlive(), out);
        }
    }

    private static Endpoint parse(String text) {
        try {
            return Endpoint.parse(text, OptionalInt.empty());
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage());
        }
    }

    private SocketChannel acceptOne(Endpoint.Inet where, SocketOptions options, PrintStream out) throws IOException {
        java.net.InetSocketAddress address = dev.sockit.server.BindAddress.of(dev.sockit.net.Transport.TCP, where);
        try (ServerSocketChannel server = dev.sockit.server.BindAddress.openTcp(where, address)) {
            try {
                server.bind(address);
            } catch (IOException e) {
                throw dev.sockit.server.ListenException.of(dev.sockit.net.Transport.TCP, where, e); // as listen and serve say it
            }
            event(out, "listening", Map.of("endpoint", Endpoint.of(server.getLocalAddress()).toString()),
                    "listening on " + Endpoint.of(server.getLocalAddress()) + "; waiting for one client");
            // The channel's own accept has no timeout; its socket adaptor honours SO_TIMEOUT.
            server.socket().setSoTimeout((int) Math.clamp(duration.toMillis(), 1, Integer.MAX_VALUE));
            SocketChannel ch;
            try {
                ch = server.socket().accept().getChannel();
            } catch (SocketTimeoutException e) {
                throw new IOException("no client connected to " + Endpoint.of(server.getLocalAddress()) + " within --duration "
                        + dev.sockit.client.Durations.show(duration));
            }
            options.applyTo(ch, true);
            return ch;
        }
    }

    private int watch(SocketChannel ch, KeepAlive k, PrintStream out) throws Exception {
        String peer = Addresses.format(ch.getRemoteAddress());
        String applied = SocketOptions.DEFAULTS.withKeepAlive(k).readBack(ch.getRemoteAddress() instanceof java.net.InetSocketAddress a
                && a.getAddress() instanceof java.net.Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6, null);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("peer", peer);
        f.put("keepalive", k.toString());
        f.put("dead_after_s", k.deadAfterSeconds());
        event(out, "connected", f, "connected to " + peer + "; " + applied + " (idle " + k.idle() + " s, then a probe every "
                + k.interval() + " s; dead after " + k.count() + " unanswered: " + k.deadAfterSeconds() + " s of silence)");

        long start = System.nanoTime();
        long[] lastData = {start};
        long[] received = {0};
        String[] ending = new String[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                while (true) {
                    int n = ch.read(buf);
                    if (n < 0) {
                        ending[0] = "closed";
                        return;
                    }
                    received[0] += n;
                    lastData[0] = System.nanoTime();
                    buf.clear();
                }
            } catch (IOException e) {
                ending[0] = "dead:" + e.getMessage();
            }
        });
        boolean live = System.console() != null && !json;
        long deadline = start + duration.toNanos();
        while (reader.isAlive() && System.nanoTime() < deadline) {
            reader.join(Duration.ofMillis(Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))));
            if (live && reader.isAlive()) {
                out.printf(Locale.ROOT, "\ridle %5.1f s   keepalive %s   alive   ", seconds(System.nanoTime() - lastData[0]), k);
                out.flush();
            }
        }
        if (live) {
            out.print("\r\033[K");
        }
        double elapsed = seconds(System.nanoTime() - start);
        double idle = seconds(System.nanoTime() - lastData[0]);
        Map<String, Object> end = new LinkedHashMap<>();
        end.put("peer", peer);
        end.put("elapsed_s", round(elapsed));
        end.put("idle_s", round(idle));
        end.put("bytes_received", received[0]);
        if (reader.isAlive()) {
            event(out, "alive", end, String.format(Locale.ROOT, "still alive after %.1f s (idle %.1f s); keepalive %s", elapsed, idle, k));
            return 0;
        }
        reader.join();
        if (ending[0].equals("closed")) {
            event(out, "closed", end, String.format(Locale.ROOT, "%s closed the connection after %.1f s", peer, elapsed));
            return 1;
        }
        String why = ending[0].substring("dead:".length());
        end.put("error", why);
        event(out, "dead", end, String.format(Locale.ROOT, "%s declared dead after %.1f s idle (%.1f s in all): %s", peer, idle, elapsed, why));
        return 1;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private void event(PrintStream out, String event, Map<String, ?> fields, String text) {
        if (json) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("time", java.time.Instant.now().toString());
            f.put("event", event);
            f.putAll(fields);
            out.println(Json.object(f));
        } else {
            out.println("sockit: " + text);
        }
    }
}
