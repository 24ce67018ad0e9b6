package dev.sockit.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** Turns the JDK's socket errors into the few words a user reads in a list of failed addresses. */
final class Reasons {
    private Reasons() {
    }

    static String of(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "timed out";
        }
        String m = String.valueOf(e.getMessage());
        String l = m.toLowerCase(Locale.ROOT);
        if (l.contains("refused")) {
            return "refused";
        }
        if (l.contains("no route to host")) {
            return "unreachable (no route to host)";
        }
        if (l.contains("network is unreachable")) {
            return "unreachable (no route to that network)";
        }
        if (l.contains("timed out")) {
            return "timed out";
        }
        if (l.contains("cannot assign requested address")) {
            return "unreachable (no local address of that family)";
        }
        if (l.contains("protocol family unavailable") || l.contains("address family not supported")) {
            return "unreachable (this machine has no IPv6)";
        }
        if (l.contains("reset")) {
            return "reset by peer";
        }
        if (l.contains("broken pipe")) {
            return "peer went away (broken pipe)";
        }
        if (l.contains("no such file")) {
            return "no such socket file";
        }
        if (l.contains("permission denied")) {
            return "permission denied";
        }
        return m;
    }
}
