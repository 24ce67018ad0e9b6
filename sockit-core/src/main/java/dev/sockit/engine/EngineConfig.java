package dev.sockit.engine;

import dev.sockit.linux.CpuQuota;
import dev.sockit.net.AccessList;
import dev.sockit.server.ServerEvents;

import java.time.Duration;
import java.util.Objects;

/**
 * What every engine is told.
 *
 * @param maxConnections connections served at once, over all listeners; more wait in the kernel's backlog
 * @param bufferSize     bytes of input and of output buffered per connection: the bound on per-connection memory
 * @param idleTimeout    close a connection silent this long; {@link Duration#ZERO} for never
 * @param iterative      serve one connection at a time per listener, as the classic iterative servers do
 * @param busyPoll       how long an engine keeps polling for input before it sleeps, while it serves few
 *                       connections: the epoll engine's loop after its last event, the threads engine's
 *                       connection thread after it has read all there was; {@link Duration#ZERO} sleeps at once
 * @param maxPerSource   connections at once from one source, an address or an IPv6 /64 ({@link SourceLimit}); 0 for no limit
 * @param access         the addresses whose connections are served; the others are closed as soon as they are accepted
 */
public record EngineConfig(ServerEvents events, int maxConnections, int bufferSize, Duration idleTimeout, boolean iterative,
                           Duration busyPoll, int maxPerSource, AccessList access) {
    /**
     * Waking a sleeping thread costs tens of microseconds on a virtual machine (the CPU halts and is
     * woken by an interrupt); polling for this long after the last input keeps an engine awake
     * through the gap between a reply and the next request of an interactive client, which halves its
     * round trip (the epoll engine's loop) or more (the threads engine, whose every wake-up also goes
     * through the JDK's poller and scheduler; docs/benchmarks.md). It costs CPU only while clients are active: at most this much after
     * each burst of events.
     */
    public static final Duration DEFAULT_BUSY_POLL = Duration.ofNanos(50_000);

    /**
     * The busy poll when none is asked for: {@link #DEFAULT_BUSY_POLL}, or none at all when a CPU
     * quota limits this process ({@link CpuQuota}: a container's CPU limit, say), since polling would
     * spend the quota itself and leave the loops throttled.
     */
    public static Duration automaticBusyPoll() {
        return CpuQuota.ofThisProcess().isPresent() ? Duration.ZERO : DEFAULT_BUSY_POLL;
    }

    public EngineConfig(ServerEvents events, int maxConnections, int bufferSize, Duration idleTimeout, boolean iterative) {
        this(events, maxConnections, bufferSize, idleTimeout, iterative, DEFAULT_BUSY_POLL);
    }

    public EngineConfig(ServerEvents events, int maxConnections, int bufferSize, Duration idleTimeout, boolean iterative, Duration busyPoll) {
        this(events, maxConnections, bufferSize, idleTimeout, iterative, busyPoll, 0, AccessList.OPEN);
    }

    public EngineConfig {
        Objects.requireNonNull(access, "access");
        if (busyPoll.isNegative()) {
            throw new IllegalArgumentException("busy poll cannot be negative");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1");
        }
        if (maxPerSource < 0) {
            throw new IllegalArgumentException("max connections per source cannot be negative");
        }
        if (bufferSize < 1024) {
            throw new IllegalArgumentException("buffer size must be at least 1024 bytes");
        }
    }
}
