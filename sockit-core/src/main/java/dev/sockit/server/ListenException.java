package dev.sockit.server;

import dev.sockit.net.Endpoint;
import dev.sockit.net.Transport;

import java.io.IOException;
import java.net.BindException;

/** A listener could not be opened; the message says which and why, fit to show a user as it is. */
public final class ListenException extends IOException {

    /** Why, so a front end can add its own hint (the CLI suggests --port-offset for {@link #PERMISSION}). */
    public enum Reason { IN_USE, PERMISSION, NO_SUCH_ADDRESS, OTHER }

    private final Reason reason;

    public ListenException(String message, Reason reason, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Explains a failure to bind {@code endpoint}. */
    public static ListenException of(Transport transport, Endpoint endpoint, IOException e) {
        String where = "cannot listen on " + transport.label(endpoint) + " " + endpoint + " — ";
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("in use")) {
            String other = endpoint instanceof Endpoint.Unix ? "name" : "port";
            return new ListenException(where + "address already in use (another program serves it; stop that one or choose another " + other + ")",
                    Reason.IN_USE, e);
        }
        if (m.contains("permission denied") || m.contains("access denied")) {
            String why = endpoint instanceof Endpoint.Inet i && i.port() > 0 && i.port() < 1024
                    ? "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)"
                    : "permission denied";
            return new ListenException(where + why, Reason.PERMISSION, e);
        }
        if (m.contains("assign requested address") || m.contains("unresolved") || m.contains("not available")) {
            return new ListenException(where + "that address is not on this machine (use one of its addresses, or :PORT for all)",
                    Reason.NO_SUCH_ADDRESS, e);
        }
        if (endpoint instanceof Endpoint.Unix u && !u.abstractName() && m.contains("no such file")) {
            java.nio.file.Path dir = java.nio.file.Path.of(u.path()).toAbsolutePath().getParent();
            return new ListenException(where + "directory " + dir + " does not exist (create it first)", Reason.OTHER, e);
        }
        String detail = e instanceof BindException || e.getMessage() != null ? e.getMessage() : e.toString();
        return new ListenException(where + detail, Reason.OTHER, e);
    }
}
