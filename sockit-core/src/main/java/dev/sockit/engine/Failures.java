package dev.sockit.engine;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/** Turns the I/O errors a peer can cause into the short words a connection log line ends with (for every engine). */
public final class Failures {
    private Failures() {
    }

    public static String describe(IOException e) {
        if (e instanceof ClosedChannelException) {
            return "closed";
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("reset") || m.contains("not connected")) {
            return "reset by peer"; // ENOTCONN: a shutdown(2) after the peer's reset has undone the connection
        }
        if (m.contains("Broken pipe")) {
            return "peer went away";
        }
        if (m.contains("timed out")) {
            return "timed out";
        }
        return m;
    }

    /** True for what a peer can cause (resets, early closes), logged quietly; false for our own trouble. */
    public static boolean peerCaused(IOException e) {
        String m = String.valueOf(e.getMessage());
        return e instanceof ClosedChannelException || m.contains("reset") || m.contains("not connected") || m.contains("Broken pipe")
                || m.contains("timed out") || m.contains("No route") || m.contains("unreachable");
    }

    /**
     * A session's {@code Output} used off the thread its callbacks run on (from a timer, say): refused
     * rather than raced, since neither engine's connection state is shared between threads.
     */
    public static IllegalStateException outputOffItsThread() {
        return new IllegalStateException("a session's Output is used only from the session's own callbacks, on the thread that calls them (not "
                + Thread.currentThread() + ")");
    }
}
