package dev.sockit.cli.bench;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;

/** Short words for what went wrong with a connection, for the report's first-error line. */
final class Problems {
    private Problems() {
    }

    static String describe(Exception e) {
        String m = String.valueOf(e.getMessage());
        return switch (e) {
            case ConnectException c -> m.contains("refused") ? "connection refused (nothing listening there?)" : m;
            case PortUnreachableException p -> "port unreachable (nothing listening)";
            case EOFException eof -> "server closed the connection early (" + m + ")";
            case AsynchronousCloseException a -> "stuck, closed at the end of the run";
            case ClosedChannelException c -> "closed";
            default -> m.contains("reset") ? "reset by server" : m.equals("null") ? e.toString() : m;
        };
    }
}
