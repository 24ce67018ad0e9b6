package dev.sockit.cli;

import dev.sockit.client.Dialer;
import dev.sockit.client.EchoClient;
import dev.sockit.client.EchoResult;
import dev.sockit.client.MismatchException;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

@Command(name = "echo",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Send stdin (or --text) to an echo server (RFC 862, port 7), check that every byte comes back unchanged, and print the echo.",
                "",
                "Sending and checking run at once, so input of any size works. Over TCP the connection is half-closed when the input ends; over UDP the input goes in datagrams of up to 1024 bytes, each resent until its echo comes back. Any difference is an error (exit 1) naming the first differing offset.",
                ""},
        footer = {"",
                "Examples:",
                "  echo hi | sockit echo localhost:10007",
                "  sockit echo localhost:10007 --text 'hello, world' --udp",
                "  head -c 10M /dev/urandom | sockit echo localhost:10007 --json",
                "  sockit echo unix:/run/echo.sock --udp --text hi"})
final class EchoCommand extends ServiceClientCommand {

    @Option(names = "--text", paramLabel = "TEXT", description = "Send TEXT and a newline instead of stdin.")
    String text;

    @Override
    String service() {
        return "echo";
    }

    @Override
    int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception {
        InputStream source = text != null
                ? new ByteArrayInputStream((text + "\n").getBytes(StandardCharsets.UTF_8))
                : Stdin.stream();
        long start = System.nanoTime();
        EchoResult r;
        try {
            r = EchoClient.echo(dialer, endpoint, transport, source, json ? null : out);
        } catch (MismatchException e) {
            if (json) {
                Map<String, Object> f = result(endpoint, transport);
                f.put("ok", false);
                f.put("match", false);
                f.put("first_difference", e.offset());
                f.put("error", e.getMessage());
                f.put("elapsed_ms", (System.nanoTime() - start) / 1_000_000);
                printJson(f);
            }
            throw e;
        }
        if (json) {
            Map<String, Object> f = result(endpoint, transport);
            f.put("match", true);
            f.put("bytes", r.bytes());
            if (transport == Transport.UDP) {
                f.put("datagrams", r.datagrams());
            }
            f.put("elapsed_ms", r.elapsed().toMillis());
            printJson(f);
        } else if (net.verbose) {
            err.println("sockit: " + r.bytes() + " bytes echoed by " + r.peer() + ", every one unchanged");
        }
        return 0;
    }
}
