package dev.sockit.cli;

import dev.sockit.client.Dialer;
import dev.sockit.client.Relay;
import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What the clients of the small services share: {@code HOST[:PORT]} with the service's standard port
 * as default, {@code --udp}, {@code --json}, and the network options.
 */
abstract class ServiceClientCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "HOST[:PORT]",
            description = "The server: a name, an IPv4 address, [IPv6] or bare IPv6, unix:/path or unix:@name; the standard port if none is given.")
    String target;

    @Option(names = {"-u", "--udp"}, description = "Ask over UDP instead of TCP (over a Unix datagram socket for a unix: server).")
    boolean udp;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Mixin
    NetOptions net = new NetOptions();

    /** The service's name, as in {@code Service.BUILTIN}. */
    abstract String service();

    abstract int run(Dialer dialer, Endpoint endpoint, Transport transport) throws Exception;

    final PrintStream out = System.out;
    final PrintStream err = System.err;
    /** The address that answered, once one has. */
    String address = "";

    /** When the command began its work (the command line parsed): every JSON result says how long it took. */
    private long started;

    @Override
    public final Integer call() throws Exception {
        started = System.nanoTime();
        Transport transport = udp ? Transport.UDP : Transport.TCP;
        Endpoint endpoint = Target.parse(target, service(), transport);
        net.socket.requireTcp(endpoint, transport);
        Dialer dialer = new Dialer(net.options(), (peer, attempts) -> {
            address = peer;
            if (net.verbose) {
                NetOptions.report(err, peer, attempts);
            }
        });
        int code;
        try {
            code = run(dialer, endpoint, transport);
        } catch (Exception e) {
            if (json && !printed && !(e instanceof IllegalArgumentException) && !(e instanceof Main.UsageException)) {
                // a script reading the JSON gets an object either way; the line on stderr and the exit code follow as usual
                Map<String, Object> f = result(endpoint, transport);
                f.put("ok", false);
                f.put("error", e.getMessage() != null ? e.getMessage() : e.toString());
                printJson(f);
            }
            throw e;
        }
        Relay.checkOut(out); // the reply went to System.out, whose failures (a full disk, a reader gone) only show when asked
        return code;
    }

    /** The fields every JSON result starts with; {@code ok} is true until the command says otherwise. */
    Map<String, Object> result(Endpoint endpoint, Transport transport) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("service", service());
        f.put("server", endpoint.toString());
        f.put("address", address.isEmpty() ? null : address); // null: no address answered
        f.put("transport", transport.label(endpoint));
        f.put("ok", true);
        return f;
    }

    private boolean printed;

    void printJson(Map<String, Object> fields) {
        fields.putIfAbsent("elapsed_ms", (System.nanoTime() - started) / 1_000_000);
        out.println(Json.object(fields));
        out.flush();
        printed = true;
    }
}
