package dev.sockit.cli;

import dev.sockit.client.DaytimeClient;
import dev.sockit.client.Dialer;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;

import java.util.Map;

@Command(name = "daytime",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Ask a daytime server (RFC 867, port 13) for the date and time, and print the line it sends.", ""},
        footer = {"",
                "Examples:",
                "  sockit daytime localhost:10013           from 'sockit serve --port-offset 10000'",
                "  sockit daytime time.example.org --udp",
                "  sockit daytime '[::1]:13' --json",
                "  sockit daytime unix:@daytime --udp      a Unix datagram socket"})
final class DaytimeCommand extends ServiceClientCommand {

    @Override
    String service() {
        return "daytime";
    }

    @Override
    int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception {
        String line = DaytimeClient.fetch(dialer, endpoint, transport);
        if (json) {
            Map<String, Object> f = result(endpoint, transport);
            f.put("daytime", line);
            printJson(f);
        } else {
            out.println(line);
        }
        return 0;
    }
}
