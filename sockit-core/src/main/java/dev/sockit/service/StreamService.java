package dev.sockit.service;

/** A service over a stream transport (TCP, Unix stream): makes one session per connection. */
@FunctionalInterface
public interface StreamService {

    /**
     * A session for a new connection.
     *
     * @param peer how the peer is shown in output and logs, e.g. {@code 127.0.0.1:51234} or {@code [::1]:51234}
     */
    StreamSession open(String peer);
}
