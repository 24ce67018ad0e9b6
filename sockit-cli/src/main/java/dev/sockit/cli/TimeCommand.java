package dev.sockit.cli;

import dev.sockit.client.Dialer;
import dev.sockit.client.TimeClient;
import dev.sockit.client.TimeReading;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

@Command(name = "time",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Ask a time server (RFC 868, port 37) for its time, and print it as ISO-8601 UTC with its offset from the local clock.",
                "",
                "RFC 868 sends whole seconds since 1900, modulo 2^32: the count wraps on 2036-02-07. Of the possible eras, the one nearest the local clock is taken, so a server past the wrap reads right.",
                ""},
        footer = {"",
                "Examples:",
                "  sockit time localhost:10037              compare with: rdate -p -o 10037 localhost",
                "  sockit time localhost:10037 --udp",
                "  sockit time localhost:10037 --json       {\"time\":\"...\",\"offset_ms\":...,...}"})
final class TimeCommand extends ServiceClientCommand {

    @Override
    String service() {
        return "time";
    }

    @Override
    int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception {
        TimeReading r = new TimeClient().fetch(dialer, endpoint, transport);
        if (json) {
            Map<String, Object> f = result(endpoint, transport);
            f.put("time", r.server().toString());
            f.put("seconds_since_1900", r.value());
            f.put("local", r.local().toString());
            f.put("offset_ms", r.offset().toMillis());
            printJson(f);
        } else {
            out.println(r.server() + "  " + describe(r.offset()));
        }
        return 0;
    }

    /** e.g. {@code offset +3.4s (server ahead of the local clock)}. */
    static String describe(Duration offset) {
        double s = offset.toMillis() / 1000.0;
        // RFC 868 sends whole seconds: clocks in step can seem up to about half a second apart.
        String when = Math.abs(s) <= 1 ? "in step with the local clock, to RFC 868's whole seconds"
                : s > 0 ? "server ahead of the local clock" : "server behind the local clock";
        return String.format(Locale.ROOT, "offset %+.1fs (%s)", s, when);
    }
}
