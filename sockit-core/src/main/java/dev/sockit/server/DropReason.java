package dev.sockit.server;

/** Why a datagram server did not answer a datagram it would otherwise have answered. */
public enum DropReason {
    /** From an address the server's access list does not allow: not even looked at. */
    NOT_ALLOWED("not-allowed", "from addresses the access list does not allow"),
    /**
     * From a source port below 1024 (or 0), or one of the small services' ports at the --port-offset:
     * how echo/chargen loops between servers are broken, as BSD inetd does.
     */
    SOURCE_PORT("source-port", "from source ports below 1024 or of the small services (at the port offset)"),
    /** From a broadcast, multicast or unspecified address: never a real requester, often a reflection attempt. */
    SOURCE_ADDRESS("source-address", "from broadcast, multicast or unspecified addresses"),
    /** The sender had used up its share of replies (per-source token bucket). */
    SOURCE_RATE("source-rate", "over the per-source reply rate"),
    /** All senders together had used up the server's replies (global token bucket). */
    GLOBAL_RATE("global-rate", "over the global reply rate"),
    /** From an unnamed Unix socket, which no reply can reach. */
    UNNAMED_SENDER("unnamed-sender", "from unnamed Unix sockets (bind the client to a path to get replies)"),
    /** Longer than the server's receive buffer; answering a cut datagram would be wrong. */
    TOO_LARGE("too-large", "larger than the receive buffer"),
    /** The reply could not be sent: the sender is gone or (Unix) its queue is full. */
    SEND_FAILED("send-failed", "whose reply could not be delivered");

    private final String label;
    private final String meaning;

    DropReason(String label, String meaning) {
        this.label = label;
        this.meaning = meaning;
    }

    /** A short name for logs and JSON keys, e.g. {@code source-rate}. */
    public String label() {
        return label;
    }

    /** Completes "N datagrams ...", e.g. {@code over the per-source reply rate}. */
    public String meaning() {
        return meaning;
    }
}
