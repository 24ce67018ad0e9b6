package dev.sockit.testing;

import dev.sockit.server.ConnectionRecord;
import dev.sockit.server.Listener;
import dev.sockit.server.ServerEvents;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Server events kept for assertions; connection ends can be awaited one by one. */
public final class RecordingEvents implements ServerEvents {
    public final List<Listener> listening = new CopyOnWriteArrayList<>();
    public final List<String> warnings = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<ConnectionRecord> ended = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> newWarnings = new LinkedBlockingQueue<>();

    @Override
    public void listening(Listener l) {
        listening.add(l);
    }

    @Override
    public void connectionEnded(ConnectionRecord r) {
        ended.add(r);
    }

    @Override
    public void warning(String message) {
        warnings.add(message);
        newWarnings.add(message);
    }

    /** Waits up to {@code timeout} for a warning that starts with {@code start}; fails the test if none comes. */
    public String awaitWarning(String start, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String w = newWarnings.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (w == null) {
                throw new AssertionError("no warning starting '" + start + "' within " + timeout + "; warnings: " + warnings);
            }
            if (w.startsWith(start)) {
                return w;
            }
        }
    }

    /** The next connection to end, waiting up to {@code timeout}; fails the test if none ends. */
    public ConnectionRecord nextEnded(Duration timeout) throws InterruptedException {
        ConnectionRecord r = ended.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no connection ended within " + timeout);
        }
        return r;
    }
}
