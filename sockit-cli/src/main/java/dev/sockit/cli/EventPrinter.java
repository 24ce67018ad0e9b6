package dev.sockit.cli;

import dev.sockit.linux.Account;
import dev.sockit.net.AccessList;
import dev.sockit.net.AddressBlock;
import dev.sockit.server.ConnectionRecord;
import dev.sockit.server.DatagramRecord;
import dev.sockit.server.Listener;
import dev.sockit.server.ServerEvents;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a server's events, one line each, as text or (--json) as one JSON object per line. Events go
 * to standard error, like a daemon's log; standard output carries what sink receives.
 */
final class EventPrinter implements ServerEvents {
    private final PrintStream out;
    private final boolean json;
    private final boolean connections;

    EventPrinter(PrintStream out, boolean json, boolean connections) {
        this(out, json, connections, System::nanoTime);
    }

    /** @param nanoTime the clock that paces connection lines (tests give their own) */
    EventPrinter(PrintStream out, boolean json, boolean connections, java.util.function.LongSupplier nanoTime) {
        this.out = out;
        this.json = json;
        this.connections = connections;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    @Override
    public void listening(Listener l) {
        if (json) {
            Map<String, Object> f = fields("listening", "service", l.service().name(), "transport", l.transport().label(l.bound()),
                    "endpoint", l.bound().toString());
            if (!l.applied().isEmpty()) {
                f.put("options", l.applied());
            }
            emit(f);
        } else {
            out.println("sockit: " + l.service().name() + " listening on " + l.transport().label(l.bound()) + " " + l.bound()
                    + (l.applied().isEmpty() ? "" : " (" + l.applied() + ")"));
        }
    }

    /**
     * At most this many connection lines a second: a storm of connections (20,000 a second on loopback)
     * would otherwise write a log line each, 26 MB in 15 s. The lines over it are counted and said.
     */
    static final int CONNECTION_LINES_PER_SECOND = 1000;
    private final java.util.function.LongSupplier nanoTime;
    private long windowStart;
    private int shownInWindow;
    private long notShown;

    /** Whether a connection's line may be shown now; says how many were not once a second has passed. */
    private synchronized boolean mayShowConnection() {
        long now = nanoTime.getAsLong();
        if (now - windowStart >= 1_000_000_000L) {
            sayNotShown();
            windowStart = now;
            shownInWindow = 0;
        }
        if (shownInWindow < CONNECTION_LINES_PER_SECOND) {
            shownInWindow++;
            return true;
        }
        notShown++;
        return false;
    }

    private synchronized void sayNotShown() {
        if (notShown == 0) {
            return;
        }
        if (json) {
            Map<String, Object> f = fields("connections_not_shown");
            f.put("connections", notShown);
            f.put("most_per_second", CONNECTION_LINES_PER_SECOND);
            emit(f);
        } else {
            out.println("sockit: " + notShown + " connection lines not shown (more than " + CONNECTION_LINES_PER_SECOND
                    + " a second; --quiet shows none)");
        }
        notShown = 0;
    }

    @Override
    public void connectionEnded(ConnectionRecord r) {
        if (!connections || !mayShowConnection()) {
            return;
        }
        double millis = r.duration().toNanos() / 1e6;
        Listener l = r.listener();
        if (json) {
            Map<String, Object> f = fields("connection", "service", l.service().name(), "transport", l.transport().label(l.bound()),
                    "peer", r.peer());
            f.put("bytes_in", r.bytesIn());
            f.put("bytes_out", r.bytesOut());
            f.put("duration_ms", Math.round(millis * 1000) / 1000.0);
            f.put("outcome", r.outcome());
            emit(f);
        } else {
            out.println(Instant.now() + " " + l.service().name() + " " + l.transport().label(l.bound()) + " " + Main.printable(r.peer()) // an abstract name is the client's to choose
                    + " in=" + r.bytesIn() + " out=" + r.bytesOut()
                    + " time=" + String.format(Locale.ROOT, "%.1fms", millis) + " " + r.outcome());
        }
    }

    @Override
    public void datagrams(DatagramRecord r) {
        if (!connections && !r.totals()) {
            return;
        }
        Listener l = r.listener();
        double seconds = r.period().toMillis() / 1000.0;
        if (json) {
            Map<String, Object> f = fields("datagrams", "service", l.service().name(), "transport", l.transport().label(l.bound()),
                    "endpoint", l.bound().toString());
            f.put("totals", r.totals());
            f.put("period_ms", r.period().toMillis());
            f.put("received", r.received());
            f.put("answered", r.answered());
            f.put("dropped", r.droppedTotal());
            f.put("bytes_in", r.bytesIn());
            f.put("bytes_out", r.bytesOut());
            r.dropped().forEach((reason, n) -> f.put("dropped_" + reason.label().replace('-', '_'), n));
            emit(f);
        } else {
            out.println(Instant.now() + " " + l.service().name() + " " + l.transport().label(l.bound()) + " " + l.bound()
                    + (r.totals() ? " totals:" : "") + " datagrams=" + r.received() + " answered=" + r.answered()
                    + " dropped=" + r.droppedTotal() + (r.droppedTotal() > 0 ? " (" + r.droppedText() + ")" : "")
                    + " in=" + r.bytesIn() + " out=" + r.bytesOut()
                    + (r.totals() ? String.format(Locale.ROOT, " since start (%.1fs)", seconds) : String.format(Locale.ROOT, " in %.1fs", seconds)));
        }
    }

    @Override
    public void warning(String message) {
        out.println(warningLine(json, message));
    }

    /** A warning as the log writes it (without its newline): also for what is said beside the printer, as a stalled stderr's cost. */
    static String warningLine(boolean json, String message) {
        return json ? Json.object(fields("warning", "message", message)) : Instant.now() + " warning: " + message;
    }

    /** Which engine serves the stream listeners: said once, after the listening lines. */
    void engine(String engine, String note) {
        if (json) {
            Map<String, Object> f = fields("engine", "engine", engine);
            if (!note.isEmpty()) {
                f.put("note", note);
            }
            emit(f);
        } else {
            out.println("sockit: stream connections served by the " + engine + " engine" + (note.isEmpty() ? "" : " (" + note + ")"));
        }
    }

    /** Whom the process runs as after binding, when --user said. */
    void user(Account account) {
        if (json) {
            Map<String, Object> f = fields("user", "user", account.user(), "group", account.group());
            f.put("uid", Integer.toUnsignedLong(account.uid()));
            f.put("gid", Integer.toUnsignedLong(account.gid()));
            emit(f);
        } else {
            out.println("sockit: serving as " + account);
        }
    }

    /** Which clients are served, when not all are. */
    void access(AccessList access) {
        if (json) {
            Map<String, Object> f = fields("access");
            f.put("allow", access.allowed().stream().map(AddressBlock::toString).toList());
            f.put("deny", access.denied().stream().map(AddressBlock::toString).toList());
            emit(f);
        } else {
            out.println("sockit: serving clients " + access + " (over TCP and UDP; Unix-socket clients are not judged)");
        }
    }

    /** serve could not go on (a port taken, a socket file in the way): its last event, before exit 1. */
    void failed(String message) {
        if (json) {
            emit(fields("failed", "message", message));
        } else {
            out.println("sockit: " + message);
        }
    }

    void stopping(java.time.Duration grace) {
        if (json) {
            Map<String, Object> f = fields("stopping");
            f.put("grace_ms", grace.toMillis());
            emit(f);
        } else {
            out.println("sockit: stopping: no new connections; open ones may finish within " + grace.toMillis() + " ms");
        }
    }

    void stopped(boolean drained) {
        sayNotShown();
        if (json) {
            Map<String, Object> f = fields("stopped");
            f.put("drained", drained);
            emit(f);
        } else {
            out.println("sockit: stopped" + (drained ? "" : " (connections still open after the grace period were closed)"));
        }
    }

    private static Map<String, Object> fields(String event, String... kv) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("time", Instant.now().toString());
        f.put("event", event);
        for (int i = 0; i < kv.length; i += 2) {
            f.put(kv[i], kv[i + 1]);
        }
        return f;
    }

    private void emit(Map<String, Object> f) {
        out.println(Json.object(f));
    }
}
