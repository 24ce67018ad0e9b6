package dev.sockit.client;

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
 */
public record ClientOptions(Resolver resolver, Family family, Duration attemptDelay, Duration connectTimeout, Duration idleTimeout) {
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
        return new ClientOptions(Resolver.system(), Family.ANY, HappyEyeballs.DEFAULT_ATTEMPT_DELAY, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
    }

    public ClientOptions withResolver(Resolver r) {
        return new ClientOptions(r, family, attemptDelay, connectTimeout, idleTimeout);
    }

    public ClientOptions withFamily(Family f) {
        return new ClientOptions(resolver, f, attemptDelay, connectTimeout, idleTimeout);
    }

    public ClientOptions withAttemptDelay(Duration d) {
        return new ClientOptions(resolver, family, d, connectTimeout, idleTimeout);
    }

    public ClientOptions withConnectTimeout(Duration d) {
        return new ClientOptions(resolver, family, attemptDelay, d, idleTimeout);
    }

    public ClientOptions withIdleTimeout(Duration d) {
        return new ClientOptions(resolver, family, attemptDelay, connectTimeout, d);
    }
}
