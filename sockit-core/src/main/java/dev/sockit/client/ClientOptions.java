package dev.sockit.client;

import dev.sockit.net.SocketOptions;

import java.time.Duration;

/**
 * How a client reaches a server.
 *
 * @param resolver       turns host names into addresses
 * @param family         which address families may be used ({@code -4}, {@code -6})
 * @param attemptDelay   Happy Eyeballs: how long one connection attempt runs alone before the next starts
 * @param connectTimeout how long connecting (over every address) may take
 * @param idleTimeout    give up when a connection is silent this long ({@link Duration#ZERO}: never); over
 *                       UDP, how long to wait for a reply from each address, resending meanwhile
 * @param socket         options set on every stream socket before it connects (keepalive, nodelay, buffers, linger)
 */
public record ClientOptions(Resolver resolver, Family family, Duration attemptDelay, Duration connectTimeout, Duration idleTimeout,
                            SocketOptions socket) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public ClientOptions {
        if (attemptDelay.isNegative()) {
            throw new IllegalArgumentException("attempt delay must not be negative");
        }
        if (!connectTimeout.isPositive()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle timeout must not be negative");
        }
    }

    /** The system resolver, both families, 250 ms attempt delay, 10 s to connect and 10 s of silence at most. */
    public static ClientOptions defaults() {
        return new ClientOptions(Resolver.system(), Family.ANY, HappyEyeballs.DEFAULT_ATTEMPT_DELAY, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT,
                SocketOptions.DEFAULTS);
    }

    public ClientOptions withResolver(Resolver r) {
        return new ClientOptions(r, family, attemptDelay, connectTimeout, idleTimeout, socket);
    }

    public ClientOptions withFamily(Family f) {
        return new ClientOptions(resolver, f, attemptDelay, connectTimeout, idleTimeout, socket);
    }

    public ClientOptions withAttemptDelay(Duration d) {
        return new ClientOptions(resolver, family, d, connectTimeout, idleTimeout, socket);
    }

    public ClientOptions withConnectTimeout(Duration d) {
        return new ClientOptions(resolver, family, attemptDelay, d, idleTimeout, socket);
    }

    public ClientOptions withSocketOptions(SocketOptions o) {
        return new ClientOptions(resolver, family, attemptDelay, connectTimeout, idleTimeout, o);
    }

    public ClientOptions withIdleTimeout(Duration d) {
        return new ClientOptions(resolver, family, attemptDelay, connectTimeout, d, socket);
    }
}
