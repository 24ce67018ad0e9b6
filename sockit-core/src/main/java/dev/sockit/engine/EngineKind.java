package dev.sockit.engine;

import dev.sockit.engine.epoll.EpollEngine;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The stream engines sockit has, by the name the command line uses. */
public enum EngineKind {
    /** One virtual thread per connection, blocking I/O: portable, and the reference for correctness. */
    THREADS,
    /** Linux epoll event loops, one per CPU, system calls through FFM. */
    EPOLL;

    /** {@code threads} or {@code epoll}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EngineKind parse(String name) {
        for (EngineKind k : values()) {
            if (k.label().equalsIgnoreCase(name.strip())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; engines: " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(EngineKind::label).collect(Collectors.joining(", "));
    }

    /** Why this engine cannot run in this JVM, or empty when it can. */
    public Optional<String> unavailable() {
        return this == EPOLL ? EpollEngine.unavailable() : Optional.empty();
    }

    /**
     * The engine to use when none is named: epoll where it can run, since it leads the benchmark
     * there (docs/benchmarks.md), and threads everywhere else.
     */
    public static EngineKind preferred() {
        return EPOLL.unavailable().isEmpty() ? EPOLL : THREADS;
    }

    /** A new engine of this kind; throws IllegalStateException (saying why) where it cannot run. */
    public Engine create(EngineConfig config) {
        return switch (this) {
            case THREADS -> new ThreadsEngine(config);
            case EPOLL -> new EpollEngine(config);
        };
    }
}
