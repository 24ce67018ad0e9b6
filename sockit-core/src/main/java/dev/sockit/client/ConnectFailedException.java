package dev.sockit.client;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * No address of a target could be reached (or, over UDP, none replied). The message lists every address and why it failed, in one
 * line: {@code cannot connect to tcp localhost:7 — [::1]:7 refused; 127.0.0.1:7 timed out after 10s}.
 */
public final class ConnectFailedException extends IOException {
    private final transient List<Attempt> attempts;

    /** @param headline what failed, e.g. {@code cannot connect to tcp localhost:7} */
    public ConnectFailedException(String headline, List<Attempt> attempts) {
        super(headline + " — " + attempts.stream().map(Attempt::toString).collect(Collectors.joining("; ")));
        this.attempts = List.copyOf(attempts);
    }

    /** Every address tried, in the order they were tried. */
    public List<Attempt> attempts() {
        return attempts;
    }
}
