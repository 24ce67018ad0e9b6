package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;
import dev.sockit.service.Service;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * A service to serve, as written on {@code sockit serve}: {@code SERVICE[/tcp|/udp][@ENDPOINT]}, e.g.
 * {@code echo}, {@code echo@:7007}, {@code daytime/tcp@127.0.0.1:1313}, {@code echo/udp@[::1]:7007},
 * {@code echo@unix:/run/echo.sock}, {@code echo/udp@unix:@echo}.
 *
 * <p>On a Unix endpoint, {@code /tcp} (or {@code /unix}, {@code /stream}) means a stream socket and
 * {@code /udp} (or {@code /unixgram}, {@code /dgram}) a datagram socket. A Unix endpoint named
 * without a transport is served as a stream only: one path cannot hold two sockets.
 *
 * @param transports the transports to serve it on (a service named without one: the default set)
 */
public record Spec(Service service, List<Transport> transports, Endpoint endpoint) {

    /**
     * @param portOffset added to a service's standard port when no endpoint is given
     * @param bindHost   the host for a spec without one ({@code ""} for every address)
     * @param defaults   the transports for a spec that names none
     * @throws IllegalArgumentException with a message fit to show a user
     */
    public static Spec parse(String text, int portOffset, String bindHost, List<Transport> defaults) {
        String s = text.strip();
        String endpointText = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            endpointText = s.substring(at + 1);
            s = s.substring(0, at);
        }
        List<Transport> transports = null;
        int slash = s.indexOf('/');
        String transportName = null;
        if (slash >= 0) {
            transportName = s.substring(slash + 1).toLowerCase(Locale.ROOT);
            transports = List.of(switch (transportName) {
                case "unix" -> Transport.TCP;
                case "unixgram" -> Transport.UDP;
                default -> Transport.of(transportName);
            });
            s = s.substring(0, slash);
        }
        String name = s.toLowerCase(Locale.ROOT);
        Service service = Service.named(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown service '" + name + "' in '" + text + "'; services: " + Service.names()));
        Endpoint endpoint;
        if (endpointText == null) {
            endpoint = new Endpoint.Inet(bindHost, standardPort(service, portOffset, ""));
        } else if (isHostAlone(endpointText)) {
            endpoint = Endpoint.parse(endpointText, OptionalInt.of(standardPort(service, portOffset, endpointText.strip())));
        } else {
            endpoint = Endpoint.parse(endpointText);
        }
        if (endpoint instanceof Endpoint.Inet i && i.isWildcard() && !bindHost.isEmpty()) {
            endpoint = new Endpoint.Inet(bindHost, i.port());
        }
        if (transportName != null && transportName.startsWith("unix") && !(endpoint instanceof Endpoint.Unix)) {
            throw new IllegalArgumentException("'/" + transportName + "' in '" + text + "' needs a unix: endpoint; use /tcp or /udp for " + endpoint);
        }
        if (transports == null) {
            transports = endpoint instanceof Endpoint.Unix ? List.of(Transport.TCP) : defaults;
        }
        return new Spec(service, transports, endpoint);
    }

    /**
     * Whether an endpoint is a host without a port ({@code echo@127.0.0.1}, {@code echo@[::1]}), which
     * gets the service's standard port as a spec without an endpoint does. A bare number is not: it is
     * far more often a port written without its colon than an IPv4 address in one number. Nor is an
     * unbracketed IPv6 address, whose last group could be meant as a port.
     */
    private static boolean isHostAlone(String endpoint) {
        String e = endpoint.strip();
        return !e.isEmpty() && !e.matches("[0-9]+") && (e.indexOf(':') < 0 || e.startsWith("[") && e.endsWith("]"));
    }

    private static int standardPort(Service service, int portOffset, String host) {
        if (!service.hasStandardPort()) {
            throw new IllegalArgumentException(service.name() + " has no standard port; give one, e.g. " + service.name() + "@" + host + ":15000");
        }
        int port = service.port() + portOffset;
        if (port > 65535) {
            throw new IllegalArgumentException("port offset " + portOffset + " puts " + service.name() + " on port " + port + ", past 65535");
        }
        return port;
    }

    @Override
    public String toString() {
        return service.name() + (transports.size() == 1 ? "/" + transports.getFirst().name().toLowerCase(Locale.ROOT) : "") + "@" + endpoint;
    }
}
