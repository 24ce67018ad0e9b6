package dev.sockit.service;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A service: its name, standard port and protocol, over streams and over datagrams.
 * {@link #BUILTIN} is the table of sockit's own, as inetd's {@code biltins[]}: to add one to sockit,
 * write its session class and add a row here. A program embedding sockit makes its own with the
 * constructor and serves it like a built-in one.
 *
 * @param port     the standard port, or 0 for none (sink)
 * @param stream   a stream service (TCP, Unix stream) made from the server's settings; null: none
 * @param datagram a datagram service (UDP, Unix datagram) made from the server's settings; null: none
 */
public record Service(String name, int port, String reference, String summary,
                      Function<Settings, StreamService> stream, Function<Settings, DatagramService> datagram) {

    public Service {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a service needs a name");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("a port is from 0 to 65535, not " + port);
        }
        if (stream == null && datagram == null) {
            throw new IllegalArgumentException(name + " has neither a stream nor a datagram form");
        }
    }

    public static final List<Service> BUILTIN = List.of(
            new Service("echo", 7, "RFC 862", "sends back every byte it receives",
                    s -> Echo.STREAM, s -> Echo.DATAGRAM),
            new Service("discard", 9, "RFC 863", "reads and drops everything",
                    s -> Discard.STREAM, s -> Discard.DATAGRAM),
            new Service("daytime", 13, "RFC 867", "sends the date and time as one line, then closes",
                    s -> Daytime.stream(s.clock(), s.daytime()), s -> Daytime.datagram(s.clock(), s.daytime())),
            new Service("qotd", 17, "RFC 865", "sends a quotation, then closes",
                    s -> s.quotes().stream(), s -> s.quotes().datagram()),
            new Service("chargen", 19, "RFC 864", "sends lines of printable characters until the client closes",
                    s -> Chargen.STREAM, s -> Chargen.datagram()),
            new Service("time", 37, "RFC 868", "sends the time as 4 bytes (seconds since 1900), then closes",
                    s -> Time.stream(s.clock()), s -> Time.datagram(s.clock())),
            new Service("sink", 0, "-", "prints what each client sends, prefixed by its address",
                    s -> Sink.stream(s.printer()), s -> Sink.datagram(s.printer())));

    /** The built-in service of that name (case ignored). */
    public static Optional<Service> named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return BUILTIN.stream().filter(s -> s.name.equals(n)).findFirst();
    }

    /** The services with a standard port: what {@code sockit serve} serves when given none. */
    public static List<Service> standard() {
        return BUILTIN.stream().filter(Service::hasStandardPort).toList();
    }

    public static String names() {
        return BUILTIN.stream().map(Service::name).collect(Collectors.joining(", "));
    }

    public boolean hasStandardPort() {
        return port > 0;
    }
}
