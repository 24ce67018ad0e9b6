package dev.sockit.engine;

/**
 * A token bucket: holds up to {@code capacity} tokens, gains {@code rate} per second, and each reply
 * takes one. Times are {@link System#nanoTime()} values passed in, so tests can drive the clock.
 * Not thread-safe: its owner locks.
 */
final class TokenBucket {
    private final double capacity;
    private final double perNano;
    private double tokens;
    private long last;

    TokenBucket(int capacity, double perSecond, long now) {
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.tokens = capacity;
        this.last = now;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            last = now;
        }
    }

    /** True if a token is there to take at {@code now}; takes nothing. */
    boolean available(long now) {
        refill(now);
        return tokens >= 1;
    }

    void take() {
        tokens -= 1;
    }

    /** Full again: forgetting this bucket would lose nothing. */
    boolean full(long now) {
        refill(now);
        return tokens >= capacity;
    }
}
