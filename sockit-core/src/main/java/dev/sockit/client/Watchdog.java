package dev.sockit.client;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action if a blocking call takes too long. Blocking channel reads ignore socket timeouts, so
 * a client bounds a read by closing its channel when the time is up; the read then fails.
 */
final class Watchdog {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private Watchdog() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "sockit-client-watchdog");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true); // one task per read: cancelled ones must not pile up
        return t;
    }

    /** Schedules {@code action} after {@code after}; cancel the result when the guarded call returns. */
    static ScheduledFuture<?> arm(Duration after, Runnable action) {
        return TIMER.schedule(action, after.toNanos(), TimeUnit.NANOSECONDS);
    }
}
