package dev.sockit.cli;

import dev.sockit.client.Dialer;
import dev.sockit.client.DiscardClient;
import dev.sockit.client.DiscardResult;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Chargen;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

@Command(name = "discard",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Send stdin (or --text, or --bytes of generated text) to a discard server (RFC 863, port 9) and report how much was sent.",
                "",
                "Over TCP, the connection is half-closed at the end and the server's close confirms it read everything. Over UDP nothing confirms delivery.",
                ""},
        footer = {"",
                "Examples:",
                "  sockit discard localhost:10009 < /var/log/syslog",
                "  sockit discard localhost:10009 --bytes 100000000 --json",
                "  sockit discard localhost:10009 --text hello --udp"})
final class DiscardCommand extends ServiceClientCommand {

    @Option(names = "--text", paramLabel = "TEXT", description = "Send TEXT and a newline instead of stdin.")
    String text;

    @Option(names = "--bytes", paramLabel = "N", converter = SizeConverter.Large.class, description = "Send N bytes of the chargen pattern instead of stdin, e.g. 100000, 64K, 1G.")
    Long bytes;

    @Override
    String service() {
        return "discard";
    }

    @Override
    int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception {
        if (text != null && bytes != null) {
            throw new Main.UsageException("--text and --bytes exclude each other");
        }
        if (bytes != null && bytes < 0) {
            throw new Main.UsageException("--bytes must not be negative");
        }
        InputStream source = text != null ? new ByteArrayInputStream((text + "\n").getBytes(StandardCharsets.UTF_8))
                : bytes != null ? new PatternStream(bytes) : Stdin.stream();
        DiscardResult r = DiscardClient.send(dialer, endpoint, transport, source);
        if (json) {
            Map<String, Object> f = result(endpoint, transport);
            f.put("bytes", r.bytes());
            if (transport == Transport.UDP) {
                f.put("datagrams", r.datagrams());
            }
            f.put("confirmed", r.confirmed());
            f.put("elapsed_ms", r.elapsed().toMillis());
            printJson(f);
        } else if (r.confirmed()) {
            out.println("sent " + r.bytes() + " bytes to " + r.peer() + "; it read them all and closed");
        } else {
            // A Unix datagram send returns once the datagram is in the server's queue; a UDP one, once it left.
            String delivery = endpoint instanceof Endpoint.Unix ? "each one queued at the server; nothing confirms it was read"
                    : "UDP: delivery is not confirmed";
            out.println("sent " + r.bytes() + " bytes in " + r.datagrams() + " datagrams to " + transport.label(endpoint) + " " + r.peer()
                    + " (" + delivery + ")");
        }
        return 0;
    }

    /** {@code n} bytes of the chargen stream, generated as they are read. */
    private static final class PatternStream extends InputStream {
        private final long n;
        private long at;

        PatternStream(long n) {
            this.n = n;
        }

        @Override
        public int read() {
            return at < n ? Chargen.byteAt(at++) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= n) {
                return -1;
            }
            int k = (int) Math.min(len, n - at);
            for (int i = 0; i < k; i++) {
                b[off + i] = Chargen.byteAt(at++);
            }
            return k;
        }
    }
}
