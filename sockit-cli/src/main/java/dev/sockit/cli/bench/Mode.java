package dev.sockit.cli.bench;

import java.util.Locale;

/** The kinds of load {@code sockit bench} generates. */
public enum Mode {
    /** Each connection sends a message and waits for its whole echo before the next. */
    PINGPONG,
    /** Bulk bytes as fast as the socket takes them: both ways through echo, to discard, from chargen. */
    STREAM,
    /** Connect, read the reply to its end, close; again and again (daytime, time, qotd). */
    CONNRATE,
    /** Open connections and hold them, silent. */
    IDLE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
