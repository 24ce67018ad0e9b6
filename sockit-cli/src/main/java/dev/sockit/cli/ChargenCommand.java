package dev.sockit.cli;

import dev.sockit.client.ChargenClient;
import dev.sockit.client.ChargenResult;
import dev.sockit.client.Dialer;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

@Command(name = "chargen",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Read --bytes from a character generator (RFC 864, port 19) and check the pattern: lines of printable characters, each starting one character further along a ring, CR LF ended.",
                "",
                "RFC 864's own ring is the 95 printable characters in lines of 72 (BSD inetd's and sockit's); other servers rotate another (xinetd: 93), so the ring and the line width are learnt from the stream, and the result says whether it was RFC 864's. The server may start anywhere in its cycle. Over UDP, whole datagrams are asked for until at least --bytes have come, each checked on its own. Any byte off the pattern (a lost, doubled or changed one) is an error (exit 1) naming its offset.",
                ""},
        footer = {"",
                "Examples:",
                "  sockit chargen localhost:10019                     one full cycle (7030 bytes)",
                "  sockit chargen localhost:10019 --bytes 1000000 --json",
                "  sockit chargen localhost:10019 --bytes 740 --print  show the ten lines too"})
final class ChargenCommand extends ServiceClientCommand {

    @Option(names = "--bytes", paramLabel = "N", converter = SizeConverter.Large.class, description = "How many bytes to read and check, e.g. 100000, 64K, 1M (default: ${DEFAULT-VALUE}, one full cycle).")
    long bytes = ChargenClient.CYCLE_BYTES;

    @Option(names = "--print", description = "Also write what was read to stdout (the summary then goes to stderr).")
    boolean print;

    @Override
    String service() {
        return "chargen";
    }

    @Override
    int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception {
        if (bytes < 1) {
            throw new Main.UsageException("--bytes must be at least 1, not " + bytes);
        }
        long start = System.nanoTime();
        if (print && json) {
            throw new Main.UsageException("--print and --json exclude each other: --json prints the result alone, for a script to read");
        }
        ChargenResult r = ChargenClient.read(dialer, endpoint, transport, bytes, print ? out : null);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        if (json) {
            Map<String, Object> f = result(endpoint, transport);
            f.put("bytes", r.bytes());
            f.put("pattern_ok", true);
            f.put("rfc864_ring", r.rfc864Ring());
            if (r.rfc864Ring()) {
                f.put("first_line", r.firstLine()); // a place in RFC 864's cycle: none in another's
            }
            if (transport == Transport.UDP) {
                f.put("datagrams", r.datagrams());
            }
            f.put("elapsed_ms", elapsedMs);
            printJson(f);
        } else {
            String datagrams = transport == Transport.UDP ? ", in " + r.datagrams() + (r.datagrams() == 1 ? " datagram" : " datagrams") : "";
            (print ? err : out).println(r.bytes() + " bytes from " + r.peer() + (r.rfc864Ring()
                    ? " follow the RFC 864 pattern (starting at line " + r.firstLine() + " of 95" + datagrams + ")"
                    : " follow a chargen pattern of its own (rotating lines, not RFC 864's ring of 95" + datagrams + ")"));
        }
        return 0;
    }
}
