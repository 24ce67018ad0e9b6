package dev.sockit.engine;

import dev.sockit.server.ServerEvents;

import java.time.Duration;

/**
 * What every engine is told.
 *
 * @param maxConnections connections served at once, over all listeners; more wait in the kernel's backlog
 * @param bufferSize     bytes of input and of output buffered per connection: the bound on per-connection memory
 * @param idleTimeout    close a connection silent this long; {@link Duration#ZERO} for never
 * @param iterative      serve one connection at a time per listener, as the classic iterative servers do
 */
public record EngineConfig(ServerEvents events, int maxConnections, int bufferSize, Duration idleTimeout, boolean iterative) {
    public EngineConfig {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1");
        }
        if (bufferSize < 1024) {
            throw new IllegalArgumentException("buffer size must be at least 1024 bytes");
        }
    }
}
