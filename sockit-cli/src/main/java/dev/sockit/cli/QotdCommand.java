package dev.sockit.cli;

import dev.sockit.client.Dialer;
import dev.sockit.client.QotdClient;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Command;

import java.util.Map;

@Command(name = "qotd",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {"Ask a quote-of-the-day server (RFC 865, port 17) for its quotation, and print it.", ""},
        footer = {"",
                "Examples:",
                "  sockit qotd localhost:10017",
                "  sockit qotd localhost:10017 --udp --json"})
final class QotdCommand extends ServiceClientCommand {

    @Override
    String service() {
        return "qotd";
    }

    @Override
    int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception {
        String quote = QotdClient.fetch(dialer, endpoint, transport);
        if (json) {
            Map<String, Object> f = result(endpoint, transport);
            f.put("quote", quote);
            printJson(f);
        } else {
            out.println(quote.replace("\r\n", "\n"));
        }
        return 0;
    }
}
